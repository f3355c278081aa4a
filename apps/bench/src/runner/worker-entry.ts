import { parentPort, workerData } from 'node:worker_threads';
import { executeRun } from './execute-run.js';
import { selectRunBackend } from './backend.js';
import { describeFailure, type FromWorker, type ToWorker, type WorkerSetup } from './messages.js';
import * as tf from '@tensorflow/tfjs';

/**
 * A worker thread: selects its own backend (every thread has its own tfjs engine), then runs the tasks
 * it is sent one at a time, reporting progress and the finished record to the main thread.
 */
async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('worker-entry must run in a worker thread');
  const setup = workerData as WorkerSetup;
  const send = (message: FromWorker): void => port.postMessage(message);
  tf.enableProdMode();
  let backend;
  try {
    backend = await selectRunBackend(setup.backend, setup.blasThreads);
  } catch (error) {
    send({ type: 'setup-failed', error: describeFailure(error) });
    return;
  }
  send({ type: 'ready', backend });
  port.on('message', (message: ToWorker) => {
    const { task } = message;
    executeRun(task, {
      backend,
      requestedBackend: setup.backend,
      resultsFile: setup.resultsFile,
      onProgress: (step, totalSteps, loss) => send({ type: 'progress', runId: task.runId, step, totalSteps, loss }),
    }).then(
      (record) => send({ type: 'done', runId: task.runId, record }),
      (error: unknown) => send({ type: 'failed', runId: task.runId, error: describeFailure(error) }),
    );
  });
}

void main();
