import type { PaperReference } from '@distillery/core';

export const zhang2019: PaperReference = {
  title: 'Be Your Own Teacher: Improve the Performance of Convolutional Neural Networks via Self Distillation',
  authors: 'Linfeng Zhang, Jiebo Song, Anni Gao, Jingwei Chen, Chenglong Bao, Kaisheng Ma',
  year: 2019,
  url: 'https://arxiv.org/abs/1905.08094',
};

export const furlanello2018: PaperReference = {
  title: 'Born Again Neural Networks',
  authors: 'Tommaso Furlanello, Zachary C. Lipton, Michael Tschannen, Laurent Itti, Anima Anandkumar',
  year: 2018,
  url: 'https://arxiv.org/abs/1805.04770',
};

export const kim2021: PaperReference = {
  title: 'Self-Knowledge Distillation with Progressive Refinement of Targets',
  authors: 'Kyungyul Kim, ByeongMoon Ji, Doyoung Yoon, Sangheum Hwang',
  year: 2021,
  url: 'https://arxiv.org/abs/2006.12000',
};

export const yuan2020: PaperReference = {
  title: 'Revisiting Knowledge Distillation via Label Smoothing Regularization',
  authors: 'Li Yuan, Francis E. H. Tay, Guilin Li, Tao Wang, Jiashi Feng',
  year: 2020,
  url: 'https://arxiv.org/abs/1909.11723',
};
