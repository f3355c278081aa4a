import type { PaperReference } from '@distillery/core';

export const wang2018: PaperReference = {
  title: 'Adversarial Learning of Portable Student Networks',
  authors: 'Yunhe Wang, Chang Xu, Chao Xu, Dacheng Tao',
  year: 2018,
  url: 'https://doi.org/10.1609/aaai.v32i1.11667',
};

export const xu2017: PaperReference = {
  title: 'Training Shallow and Thin Networks for Acceleration via Knowledge Distillation with Conditional Adversarial Networks',
  authors: 'Zheng Xu, Yen-Chang Hsu, Jiawei Huang',
  year: 2017,
  url: 'https://arxiv.org/abs/1709.00513',
};

export const heo2019: PaperReference = {
  title: 'Knowledge Distillation with Adversarial Samples Supporting Decision Boundary',
  authors: 'Byeongho Heo, Minsik Lee, Sangdoo Yun, Jin Young Choi',
  year: 2019,
  url: 'https://arxiv.org/abs/1805.05532',
};

export const chung2020: PaperReference = {
  title: 'Feature-map-level Online Adversarial Knowledge Distillation',
  authors: 'Inseop Chung, SeongUk Park, Jangho Kim, Nojun Kwak',
  year: 2020,
  url: 'https://arxiv.org/abs/2002.01775',
};

export const goodfellow2014: PaperReference = {
  title: 'Generative Adversarial Nets',
  authors: 'Ian J. Goodfellow, Jean Pouget-Abadie, Mehdi Mirza, Bing Xu, David Warde-Farley, Sherjil Ozair, Aaron Courville, Yoshua Bengio',
  year: 2014,
  url: 'https://arxiv.org/abs/1406.2661',
};

export const mao2017: PaperReference = {
  title: 'Least Squares Generative Adversarial Networks',
  authors: 'Xudong Mao, Qing Li, Haoran Xie, Raymond Y. K. Lau, Zhen Wang, Stephen Paul Smolley',
  year: 2017,
  url: 'https://arxiv.org/abs/1611.04076',
};

export const wang2018kdgan: PaperReference = {
  title: 'KDGAN: Knowledge Distillation with Generative Adversarial Networks',
  authors: 'Xiaojie Wang, Rui Zhang, Yu Sun, Jianzhong Qi',
  year: 2018,
};
