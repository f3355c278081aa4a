import type { PaperReference } from '@distillery/core';

export const hinton2015: PaperReference = {
  title: 'Distilling the Knowledge in a Neural Network',
  authors: 'Geoffrey Hinton, Oriol Vinyals, Jeff Dean',
  year: 2015,
  url: 'https://arxiv.org/abs/1503.02531',
};

/** Label smoothing was introduced with Inception-v3. */
export const szegedy2016: PaperReference = {
  title: 'Rethinking the Inception Architecture for Computer Vision',
  authors: 'Christian Szegedy, Vincent Vanhoucke, Sergey Ioffe, Jonathon Shlens, Zbigniew Wojna',
  year: 2016,
  url: 'https://arxiv.org/abs/1512.00567',
};
