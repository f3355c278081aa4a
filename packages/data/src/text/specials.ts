/**
 * The reserved ids of every Distillery text vocabulary (the shared text contract): models compute their
 * padding mask as `x != PAD_ID` and classification inputs start with [CLS].
 */
export const PAD_TOKEN = '[PAD]';
export const UNK_TOKEN = '[UNK]';
export const CLS_TOKEN = '[CLS]';
export const SEP_TOKEN = '[SEP]';
export const SPECIAL_TOKENS: readonly string[] = [PAD_TOKEN, UNK_TOKEN, CLS_TOKEN, SEP_TOKEN];
export const PAD_ID = 0;
export const UNK_ID = 1;
export const CLS_ID = 2;
export const SEP_ID = 3;
/** WordPiece marks a piece that continues a word (BERT's convention). */
export const CONTINUATION_PREFIX = '##';
