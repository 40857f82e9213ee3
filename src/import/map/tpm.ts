/**
 * TPM: `-tpmdev emulator|passthrough` with its `tpm-tis`/`tpm-crb` device. libvirt runs its own
 * swtpm for an emulated TPM, so a socket the user's own swtpm served is not carried over.
 */
import type { ImportContext } from '../context.js';
import { ignoreCommon, type DeviceHandler, type DeviceOpt } from './devices.js';

const TPM_MODELS: Record<string, string> = {
  'tpm-tis': 'tpm-tis',
  'tpm-crb': 'tpm-crb',
  'tpm-spapr': 'tpm-spapr',
  'tpm-tis-device': 'tpm-tis',
};

function tpmDevice(dev: DeviceOpt, ctx: ImportContext): boolean {
  const id = dev.props.str('tpmdev');
  const tpmdev = id === undefined ? undefined : ctx.lookup(['-tpmdev'], 'id', id);
  if (!tpmdev) return false;
  const t = ctx.props(tpmdev);
  const type = t.str('type');
  t.ignore('id');
  if (type === 'emulator') {
    const chardev = ctx.lookup(['-chardev'], 'id', t.str('chardev') ?? '');
    if (chardev) chardev.consumed = true;
    const path = chardev ? ctx.props(chardev).str('path') : undefined;
    if (path && !/^\/(var\/lib|run)\/libvirt\//.test(path)) {
      ctx.warn(
        `-tpmdev emulator: libvirt starts its own swtpm; the TPM state behind '${path}' is not carried over`,
      );
    }
    ctx.add('tpm', {
      model: TPM_MODELS[dev.driver] as string,
      backend: { type: 'emulator', version: '2.0' },
    });
  } else if (type === 'passthrough') {
    const path = t.str('path') ?? '/dev/tpm0';
    t.ignore('cancel-path');
    ctx.add('tpm', {
      model: TPM_MODELS[dev.driver] as string,
      backend: { type: 'passthrough', device: { path } },
    });
  } else return false;
  tpmdev.consumed = true;
  ctx.reportUnused(tpmdev, t);
  ignoreCommon(dev.props);
  return true;
}

export const tpmHandlers: Record<string, DeviceHandler> = Object.fromEntries(
  Object.keys(TPM_MODELS).map((d) => [d, tpmDevice]),
);
