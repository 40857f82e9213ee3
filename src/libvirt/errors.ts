/**
 * One error type for everything that can go wrong between virt-gen and libvirt, whichever backend
 * carried the call. The `kind` is what the CLI branches on; the message is one sentence that says
 * what happened and how to fix it, so it can be printed as is.
 */

import { EXIT, VirtGenError } from '../util/errors.js';

export type LibvirtErrorKind =
  | 'no-libvirt' // libvirtd (or virsh) is not there or not answering on that URI
  | 'no-bus' // no D-Bus, or org.libvirt is not on it
  | 'access-denied' // not root and not in the libvirt group (bus policy, polkit, socket perms)
  | 'invalid-xml' // libvirt refused the domain definition
  | 'not-found' // no such domain
  | 'timeout' // something did not answer in time
  | 'other';

/** Kinds that mean nobody answered at that URI: exit 3, as documented. */
const UNREACHABLE: ReadonlySet<LibvirtErrorKind> = new Set(['no-libvirt', 'no-bus']);

export class LibvirtError extends VirtGenError {
  constructor(
    readonly kind: LibvirtErrorKind,
    message: string,
    /** The raw text from libvirt, D-Bus or virsh the message was built from. */
    readonly detail?: string,
    cause?: unknown,
  ) {
    super(message, { cause, exitCode: UNREACHABLE.has(kind) ? EXIT.unreachable : EXIT.refused });
    this.name = 'LibvirtError';
  }
}

export const ACCESS_DENIED_FIX =
  "not root and not in the 'libvirt' group: run as root, or `sudo usermod -aG libvirt $USER` and log in again";

/** What the caller was doing: the same libvirt text means different things in different calls. */
export type CallContext = 'connect' | 'define' | 'lookup' | 'other';

// Order matters: virsh prints "failed to connect to the hypervisor" above the real cause, so the
// causes that say "you may not" are tested before the ones that say "nobody is there".
const ACCESS_DENIED = /authentication unavailable|authentication failed|access denied|not authorized|polkit/i;
const SOCKET_PERMISSION = /(connect|sock).*Permission denied/i;
const NOT_FOUND = /Domain not found|no domain with matching|failed to get domain/i;
const NO_DAEMON =
  /failed to connect to the hypervisor|Failed to connect socket|Cannot recv data|Connection refused|no connection driver available|Cannot write data|End of file while reading data|Broken pipe/i;

/**
 * Maps a libvirt error text (an org.libvirt.Error body or virsh's stderr) to a LibvirtError.
 * Neither carrier gives libvirt's numeric error code, so the text is all there is; LC_ALL=C keeps
 * virsh's wording stable.
 */
export function fromLibvirtText(text: string, context: CallContext, uri: string): LibvirtError {
  const detail = cleanDetail(text);
  if (ACCESS_DENIED.test(text) || SOCKET_PERMISSION.test(text)) {
    return new LibvirtError(
      'access-denied',
      `libvirt at ${uri} refused access (${detail}): ${ACCESS_DENIED_FIX}`,
      text,
    );
  }
  if (NOT_FOUND.test(text)) {
    return new LibvirtError(
      'not-found',
      `no such domain in ${uri} (${detail}): \`virsh -c ${uri} list --all\` lists the defined ones`,
      text,
    );
  }
  if (NO_DAEMON.test(text)) return noLibvirt(uri, detail, text);
  if (context === 'define') {
    // Anything else libvirt says while defining is a refusal of the XML (XML error, unsupported
    // configuration, invalid argument, domain exists with another UUID, ...).
    return new LibvirtError('invalid-xml', `libvirt refused the domain XML: ${detail}`, text);
  }
  return new LibvirtError('other', `libvirt at ${uri} failed: ${detail}`, text);
}

export function noLibvirt(uri: string, detail: string, raw?: string): LibvirtError {
  return new LibvirtError(
    'no-libvirt',
    `cannot reach libvirt at ${uri} (${detail}): start libvirtd (or virtqemud), or pass the right URI with -c`,
    raw ?? detail,
  );
}

export function timeoutError(what: string, ms: number): LibvirtError {
  return new LibvirtError(
    'timeout',
    `${what} did not answer within ${ms} ms: check that libvirtd is running (and libvirt-dbus for --backend dbus), or raise VIRT_GEN_TIMEOUT_MS`,
  );
}

const VIRSH_SUMMARY = /^failed to connect to the hypervisor$|^failed to \w+ domain\b/i;

/**
 * One readable line from a libvirt error text: virsh prefixes every line with "error: " and repeats
 * itself, and XML parse errors echo the offending source line with a `----^` marker under it.
 */
export function cleanDetail(text: string): string {
  const lines = text.split('\n').map((l) => l.replace(/^error:\s*/, '').trim());
  const kept: string[] = [];
  for (const line of lines) {
    if (/^-*\^$/.test(line)) {
      kept.pop(); // the echoed source line above the marker
      continue;
    }
    if (line !== '') kept.push(line);
  }
  // virsh's own summary ("failed to connect to the hypervisor", "Failed to define domain from
  // /tmp/…") sits above libvirt's reason: drop it when there is a reason to show.
  const reasons = kept.filter((l) => !VIRSH_SUMMARY.test(l));
  const joined = (reasons.length > 0 ? reasons : kept).join('; ');
  return joined === '' ? text.trim() : joined;
}
