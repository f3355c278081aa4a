// Node-only entry point (file system). Browser code imports "@distillery/core" only.
export { writeFileAtomic } from './io/atomic-write.js';
export { FolderCheckpointStore } from './io/folder-checkpoint-store.js';
export { saveLayersModel, loadLayersModel, folderSaveHandler, folderLoadHandler, MODEL_JSON_FILE, WEIGHTS_FILE } from './io/layers-folder.js';
