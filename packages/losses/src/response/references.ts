import type { PaperReference } from '@distillery/core';

/** Reverse KL as the distillation objective (mode-seeking), argued for in MiniLLM. */
export const gu2024: PaperReference = {
  title: 'MiniLLM: Knowledge Distillation of Large Language Models',
  authors: 'Yuxian Gu, Li Dong, Furu Wei, Minlie Huang',
  year: 2024,
  url: 'https://arxiv.org/abs/2306.08543',
};

export const lin1991: PaperReference = {
  title: 'Divergence Measures Based on the Shannon Entropy',
  authors: 'Jianhua Lin',
  year: 1991,
  url: 'https://doi.org/10.1109/18.61115',
};

export const amara2022: PaperReference = {
  title: 'BD-KD: Balancing the Divergences for Online Knowledge Distillation',
  authors: 'Ibtihel Amara, Nazanin Sepahvand, Brett H. Meyer, Warren J. Gross, James J. Clark',
  year: 2022,
  url: 'https://arxiv.org/abs/2212.12965',
};

export const zhao2022: PaperReference = {
  title: 'Decoupled Knowledge Distillation',
  authors: 'Borui Zhao, Quan Cui, Renjie Song, Yiyu Qiu, Jiajun Liang',
  year: 2022,
  url: 'https://arxiv.org/abs/2203.08679',
};

export const yang2023: PaperReference = {
  title: 'From Knowledge Distillation to Self-Knowledge Distillation: A Unified Approach with Normalized Loss and Customized Soft Labels',
  authors: 'Zhendong Yang, Ailing Zeng, Zhe Li, Tianke Zhang, Chun Yuan, Yu Li',
  year: 2023,
  url: 'https://arxiv.org/abs/2303.13005',
};

export const yuan2020: PaperReference = {
  title: 'Revisiting Knowledge Distillation via Label Smoothing Regularization',
  authors: 'Li Yuan, Francis E. H. Tay, Guilin Li, Tao Wang, Jiashi Feng',
  year: 2020,
  url: 'https://arxiv.org/abs/1909.11723',
};

export const li2023: PaperReference = {
  title: 'Curriculum Temperature for Knowledge Distillation',
  authors: 'Zheng Li, Xiang Li, Lingfeng Yang, Borui Zhao, Renjie Song, Lei Luo, Jun Li, Jian Yang',
  year: 2023,
  url: 'https://arxiv.org/abs/2211.16231',
};

export const jafari2022: PaperReference = {
  title: 'Continuation KD: Improved Knowledge Distillation through the Lens of Continuation Optimization',
  authors: 'Aref Jafari, Ivan Kobyzev, Mehdi Rezagholizadeh, Pascal Poupart, Ali Ghodsi',
  year: 2022,
  url: 'https://arxiv.org/abs/2212.05998',
};
