/**
 * What a domain needs of libvirt's version, said in the config's terms. libvirt refuses what it
 * does not know ("Invalid value for attribute 'type' in element 'audio'"); this names the config
 * field, the version that brought it, and what to use instead, before anything is defined.
 */
import type { Domain } from '../domain/model.js';
import type { LibvirtVersion } from '../libvirt/backend.js';

interface Requirement {
  /** The feature, as a config author knows it. */
  what: string;
  since: [major: number, minor: number];
  uses(domain: Domain): boolean;
  instead: string;
}

const REQUIREMENTS: Requirement[] = [
  {
    what: "PipeWire audio (sound.audio.type: 'pipewire')",
    since: [9, 10],
    uses: (d) => (d.devices?.audio ?? []).some((a) => a.type === 'pipewire'),
    instead: "use type: 'pulseaudio' (PipeWire serves PulseAudio clients through pipewire-pulse)",
  },
  {
    what: "the virtio sound card (sound.model: 'virtio')",
    since: [10, 4],
    uses: (d) => (d.devices?.sound ?? []).some((s) => s.model === 'virtio'),
    instead: "use model: 'ich9'",
  },
  {
    what: "Hyper-V passthrough (hyperv: 'passthrough', <hyperv mode='passthrough'>)",
    since: [8, 0],
    uses: (d) => d.features?.hyperv?.mode === 'passthrough',
    instead: 'leave hyperv out for the recommended set, or list the enlightenments',
  },
  {
    what: "Hyper-V host-model mode (<hyperv mode='host-model'>)",
    since: [11, 9],
    uses: (d) => d.features?.hyperv?.mode === 'host-model',
    instead: "use mode 'custom', virt-gen's default, with an explicit list",
  },
  {
    what: 'the firmware image format (<loader format>, <nvram format>)',
    since: [9, 2],
    uses: (d) => d.os?.loader?.format !== undefined || d.os?.nvram?.format !== undefined,
    instead: 'leave the format out (raw)',
  },
];

const atLeast = (v: LibvirtVersion, [major, minor]: [number, number]): boolean =>
  v.major > major || (v.major === major && v.minor >= minor);

/** One sentence per feature the domain uses that `version` does not have. */
export function unmetRequirements(domain: Domain, version: LibvirtVersion): string[] {
  return REQUIREMENTS.filter((r) => r.uses(domain) && !atLeast(version, r.since)).map(
    (r) =>
      `${r.what} needs libvirt ${r.since.join('.')} or newer; this libvirt is ${version.text}: ${r.instead}`,
  );
}
