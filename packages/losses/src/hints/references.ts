import type { PaperReference } from '@distillery/core';

export const kornblith2019: PaperReference = {
  title: 'Similarity of Neural Network Representations Revisited',
  authors: 'Simon Kornblith, Mohammad Norouzi, Honglak Lee, Geoffrey Hinton',
  year: 2019,
  url: 'https://arxiv.org/abs/1905.00414',
};

export const keser2023: PaperReference = {
  title: 'PURSUhInT: In Search of Informative Hint Points Based on Layer Clustering for Knowledge Distillation',
  authors: 'Reyhan Kevser Keser, Aydin Ayanzadeh, Omid Abdollahi Aghdam, Caglar Kilcioglu, Behcet Ugur Toreyin, Nazim Kemal Ure',
  year: 2023,
  url: 'https://arxiv.org/abs/2103.00053',
};
