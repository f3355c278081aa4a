import type { PaperReference } from '@distillery/core';

export const zhang2018: PaperReference = {
  title: 'Deep Mutual Learning',
  authors: 'Ying Zhang, Tao Xiang, Timothy M. Hospedales, Huchuan Lu',
  year: 2018,
  url: 'https://arxiv.org/abs/1706.00384',
};

export const lan2018: PaperReference = {
  title: 'Knowledge Distillation by On-the-Fly Native Ensemble',
  authors: 'Xu Lan, Xiatian Zhu, Shaogang Gong',
  year: 2018,
  url: 'https://arxiv.org/abs/1806.04606',
};

export const guo2020: PaperReference = {
  title: 'Online Knowledge Distillation via Collaborative Learning',
  authors: 'Qiushan Guo, Xinjiang Wang, Yichao Wu, Zhipeng Yu, Ding Liang, Xiaolin Hu, Ping Luo',
  year: 2020,
  url: 'https://openaccess.thecvf.com/content_CVPR_2020/html/Guo_Online_Knowledge_Distillation_via_Collaborative_Learning_CVPR_2020_paper.html',
};

export const amara2022: PaperReference = {
  title: 'BD-KD: Balancing the Divergences for Online Knowledge Distillation',
  authors: 'Ibtihel Amara, Nazanin Sepahvand, Brett H. Meyer, Warren J. Gross, James J. Clark',
  year: 2022,
  url: 'https://arxiv.org/abs/2212.12965',
};

export const liu2021: PaperReference = {
  title: 'Semi-Online Knowledge Distillation',
  authors: 'Zhiqiang Liu, Yanxia Liu, Chengkai Huang',
  year: 2021,
  url: 'https://arxiv.org/abs/2111.11747',
};
