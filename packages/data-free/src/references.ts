import type { PaperReference } from '@distillery/core';

export const chen2019: PaperReference = {
  title: 'DAFL: Data-Free Learning of Student Networks',
  authors: 'Chen, Wang, Xu, Yang, Liu, Shi, Xu, Xu, Tian',
  year: 2019,
  url: 'https://arxiv.org/abs/1904.01186',
};

export const fang2019: PaperReference = {
  title: 'Data-Free Adversarial Distillation',
  authors: 'Fang, Song, Wang, Shen, Wang, Song',
  year: 2019,
  url: 'https://arxiv.org/abs/1912.11006',
};

export const micaelli2019: PaperReference = {
  title: 'Zero-shot Knowledge Transfer via Adversarial Belief Matching',
  authors: 'Micaelli, Storkey',
  year: 2019,
  url: 'https://arxiv.org/abs/1905.09768',
};

export const yin2020: PaperReference = {
  title: 'Dreaming to Distill: Data-free Knowledge Transfer via DeepInversion',
  authors: 'Yin, Molchanov, Li, Alvarez, Mallya, Hoiem, Jha, Kautz',
  year: 2020,
  url: 'https://arxiv.org/abs/1912.08795',
};

export const nguyen2022: PaperReference = {
  title: 'Black-box Few-shot Knowledge Distillation',
  authors: 'Nguyen, Gupta, Do, Venkatesh',
  year: 2022,
  url: 'https://arxiv.org/abs/2207.12106',
};

export const zhang2018mixup: PaperReference = {
  title: 'mixup: Beyond Empirical Risk Minimization',
  authors: 'Zhang, Cisse, Dauphin, Lopez-Paz',
  year: 2018,
  url: 'https://arxiv.org/abs/1710.09412',
};
