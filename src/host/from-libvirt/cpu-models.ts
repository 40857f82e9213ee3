/**
 * Can this host run a named CPU model (`cpu: { mode: 'custom', model }`)? libvirt defines any model
 * name and QEMU refuses it only at start (virt-gen writes `fallback='forbid'`): the domain
 * capabilities list the models this QEMU knows, each `usable='yes|no|unknown'` on this host's CPU.
 */
import { textOf } from '../../domain/xml-node.js';
import { kid, kids, parseAnswer } from './xml.js';

/** Model name -> usable ('yes', 'no', 'unknown'), from `<cpu><mode name='custom'>`. */
export function parseCpuModels(domcapsXml: string): Map<string, string> {
  const caps = parseAnswer(domcapsXml, 'domain capabilities');
  const custom = kids(kid(caps, 'cpu'), 'mode').find((m) => m.attrs.name === 'custom');
  return new Map(kids(custom, 'model').map((m) => [textOf(m).trim(), m.attrs.usable ?? 'unknown']));
}

/** Why the VM will not start with `model` on this host, or undefined when it can (or libvirt cannot tell). */
export function cpuModelProblem(model: string, models: Map<string, string>): string | undefined {
  if (models.size === 0) return undefined;
  const usable = models.get(model);
  if (usable === undefined)
    return `cpu.model: this host's QEMU has no CPU model "${model}" (virsh domcapabilities lists those it has): the VM will not start`;
  if (usable === 'no')
    return `cpu.model: this host's CPU lacks features of "${model}" (virsh domcapabilities: usable='no'): the VM will not start, as the config asks for the model exactly`;
  return undefined;
}
