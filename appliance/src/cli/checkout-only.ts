// The trainer (models/train) lives in the repository but not on the box: os-image/build-app.sh
// ships dist/appliance and dist/gpio only. Commands that need it load it on demand through here,
// so that on the box they, and `earshot --help`, still start and say in one line what is missing.

import { UsageError } from './cli-io.js';

/** Runs `load` (dynamic imports of models/train); a module of the checkout that is absent becomes one line, exit 2. */
export async function fromCheckout<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    if (code === 'ERR_MODULE_NOT_FOUND' && /[/\\]models[/\\]train[/\\]/.test(message ?? '')) {
      throw new UsageError('needs a developer checkout: the trainer (models/train) is not installed here, as on the box');
    }
    throw error;
  }
}
