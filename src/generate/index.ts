/**
 * ResolvedVm (+ what the host tells) -> Domain. Pure: no I/O, so golden tests are cheap.
 */
import type { Domain, DomainController, DomainDeviceList } from '../domain/model.js';
import type { ResolvedVm } from '../config/resolved.js';
import { isQ35Machine } from '../config/machine-type.js';
import type { GenerateContext, GenerateNote } from './context.js';
import { cpuElements } from './cpu.js';
import {
  display,
  inputs,
  lookingGlass,
  mdevHostdev,
  networkInterface,
  rng,
  sound,
  storage,
  tpm,
  usbHostdev,
} from './devices.js';
import { featureElements } from './features.js';
import { identityElements } from './identity.js';
import { osElement } from './firmware.js';
import { memoryElements } from './memory.js';
import { pciLayout } from './pci.js';
import { placeVm } from './placement.js';
import { runtimePlan } from './runtime.js';
import { overlayDomain } from './template.js';

export {
  GenerateError,
  type GenerateContext,
  type GenerateNote,
  type HugepagePlan,
  type HugepageRequest,
  type PinPlan,
} from './context.js';

export interface Generated {
  domain: Domain;
  /** What generation chose or could not do that the user should know, each naming its config field. */
  notes: GenerateNote[];
}

/** The domain and its notes: what every command shows. */
export function generate(vm: ResolvedVm, ctx: GenerateContext = {}, template?: Domain): Generated {
  const place = placeVm(vm, ctx);
  const notes = [...place.notes];
  const runtime = runtimePlan(vm, ctx, place, notes);
  const domain: Domain = {
    type: 'kvm',
    name: { value: vm.name },
    ...(vm.uuid ? { uuid: { value: vm.uuid } } : {}),
    ...(vm.title ? { title: { value: vm.title } } : {}),
    ...(vm.description ? { description: { value: vm.description } } : {}),
    ...(runtime ? { metadata: { $extra: { children: [runtime] } } } : {}),
    ...memoryElements(vm, place.hugepages),
    ...cpuElements(vm, ctx, place),
    ...identityElements(vm),
    os: osElement(vm),
    ...featureElements(vm),
    devices: devices(vm, ctx),
    ...(vm.qemuArgs.length ? { qemuCommandline: { arg: vm.qemuArgs.map((value) => ({ value })) } } : {}),
  };
  return { domain: template ? overlayDomain(template, domain) : domain, notes };
}

/** The domain alone, for callers that show no notes (goldens, import round trips). */
export function generateDomain(vm: ResolvedVm, ctx: GenerateContext = {}, template?: Domain): Domain {
  return generate(vm, ctx, template).domain;
}

function devices(vm: ResolvedVm, ctx: GenerateContext): DomainDeviceList {
  const store = storage(vm);
  const pci = pciLayout(vm, ctx);
  const controllers: DomainController[] = [
    ...store.controllers,
    { type: 'pci', index: 0, model: isQ35Machine(vm.machine) ? 'pcie-root' : 'pci-root' },
    ...pci.controllers,
    // xHCI: USB 3 and fewer interrupts than the default EHCI/UHCI set.
    {
      type: 'usb',
      index: 0,
      model: vm.usbController,
      ...(vm.usbController === 'qemu-xhci' ? { ports: 15 } : {}),
    },
  ];
  const audio = sound(vm);
  const shows = display(vm);
  const inputList = inputs(vm);
  const shmem = lookingGlass(vm);
  return {
    emulator: { path: vm.emulator },
    ...(store.disks.length ? { disk: store.disks } : {}),
    controller: controllers,
    ...(vm.networks.length ? { interface: vm.networks.map(networkInterface) } : {}),
    ...(inputList.length ? { input: inputList } : {}),
    ...(vm.tpm ? { tpm: tpm(vm) } : {}),
    ...(shows.graphics ? { graphics: shows.graphics } : {}),
    ...(audio.sound.length ? { sound: audio.sound, audio: audio.audio } : {}),
    ...(shows.video ? { video: shows.video } : {}),
    hostdev: [...pci.hostdevs, ...vm.mdev.map(mdevHostdev), ...vm.usb.map(usbHostdev)],
    // The balloon fights VFIO's pinned memory; a gaming VM keeps a fixed size anyway.
    ...(vm.noMemballoon ? { memballoon: { model: 'none' } } : {}),
    ...(vm.rng ? { rng: rng(vm) } : {}),
    ...(shmem.length ? { shmem } : {}),
  };
}
