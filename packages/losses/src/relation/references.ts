import type { PaperReference } from '@distillery/core';

export const park2019: PaperReference = {
  title: 'Relational Knowledge Distillation',
  authors: 'Wonpyo Park, Dongju Kim, Yan Lu, Minsu Cho',
  year: 2019,
  url: 'https://arxiv.org/abs/1904.05068',
};

export const passalis2018: PaperReference = {
  title: 'Learning Deep Representations with Probabilistic Knowledge Transfer',
  authors: 'Nikolaos Passalis, Anastasios Tefas',
  year: 2018,
  url: 'https://arxiv.org/abs/1803.10837',
};

export const tung2019: PaperReference = {
  title: 'Similarity-Preserving Knowledge Distillation',
  authors: 'Frederick Tung, Greg Mori',
  year: 2019,
  url: 'https://arxiv.org/abs/1907.09682',
};

export const tian2020: PaperReference = {
  title: 'Contrastive Representation Distillation',
  authors: 'Yonglong Tian, Dilip Krishnan, Phillip Isola',
  year: 2020,
  url: 'https://arxiv.org/abs/1910.10699',
};
