import type { PaperReference } from '@distillery/core';

export const romero2015: PaperReference = {
  title: 'FitNets: Hints for Thin Deep Nets',
  authors: 'Adriana Romero, Nicolas Ballas, Samira Ebrahimi Kahou, Antoine Chassang, Carlo Gatta, Yoshua Bengio',
  year: 2015,
  url: 'https://arxiv.org/abs/1412.6550',
};

export const zagoruyko2017: PaperReference = {
  title: 'Paying More Attention to Attention: Improving the Performance of Convolutional Neural Networks via Attention Transfer',
  authors: 'Sergey Zagoruyko, Nikos Komodakis',
  year: 2017,
  url: 'https://arxiv.org/abs/1612.03928',
};

export const yim2017: PaperReference = {
  title: 'A Gift from Knowledge Distillation: Fast Optimization, Network Minimization and Transfer Learning',
  authors: 'Junho Yim, Donggyu Joo, Jihoon Bae, Junmo Kim',
  year: 2017,
  url: 'https://openaccess.thecvf.com/content_cvpr_2017/html/Yim_A_Gift_From_CVPR_2017_paper.html',
};

export const heo2019: PaperReference = {
  title: 'A Comprehensive Overhaul of Feature Distillation',
  authors: 'Byeongho Heo, Jeesoo Kim, Sangdoo Yun, Hyojin Park, Nojun Kwak, Jin Young Choi',
  year: 2019,
  url: 'https://arxiv.org/abs/1904.01866',
};
