// Node-only entry point (file system). Browser code imports "@distillery/models" only.
export { saveTextModel, loadTextModel, TEXT_MODEL_FILE, TEXT_WEIGHTS_FILE } from './text/save-load.js';
