import type { PaperReference } from '@distillery/core';

export const jiao2020: PaperReference = {
  title: 'TinyBERT: Distilling BERT for Natural Language Understanding',
  authors: 'Xiaoqi Jiao, Yichun Yin, Lifeng Shang, Xin Jiang, Xiao Chen, Linlin Li, Fang Wang, Qun Liu',
  year: 2020,
  url: 'https://arxiv.org/abs/1909.10351',
};

export const wang2020: PaperReference = {
  title: 'MiniLM: Deep Self-Attention Distillation for Task-Agnostic Compression of Pre-Trained Transformers',
  authors: 'Wenhui Wang, Furu Wei, Li Dong, Hangbo Bao, Nan Yang, Ming Zhou',
  year: 2020,
  url: 'https://arxiv.org/abs/2002.10957',
};

/** In-batch InfoNCE with a temperature over sentence embeddings (the objective contrastive-embedding uses). */
export const gao2021: PaperReference = {
  title: 'SimCSE: Simple Contrastive Learning of Sentence Embeddings',
  authors: 'Tianyu Gao, Xingcheng Yao, Danqi Chen',
  year: 2021,
  url: 'https://arxiv.org/abs/2104.08821',
};

/** Next-token cross-entropy and perplexity of a causal language model (GPT). */
export const radford2018: PaperReference = {
  title: 'Improving Language Understanding by Generative Pre-Training',
  authors: 'Alec Radford, Karthik Narasimhan, Tim Salimans, Ilya Sutskever',
  year: 2018,
  url: 'https://cdn.openai.com/research-covers/language-unsupervised/language_understanding_paper.pdf',
};
