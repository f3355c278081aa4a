import * as tf from '@tensorflow/tfjs';

// Prod mode silences the cpu backend's "install tfjs-node" banner. (IS_TEST would too, but it also turns
// on a per-kernel leak check that misfires on tfjs's own customGrad ops such as softmaxCrossEntropy.)
tf.enableProdMode();
