/**
 * The typed model of libvirt's domain XML (https://libvirt.org/formatdomain.html), one module per
 * part of the document under model/ and re-exported here under the names the code uses.
 *
 * Names follow libvirt's elements, like libvirt-go-xml (`DomainHostdev`, `DomainFeatureHyperV`).
 * Key order in each shape is the order libvirt itself writes the children in (virDomainDefFormat),
 * so generated XML diffs cleanly against `virsh dumpxml`. Attributes whose spelling libvirt keeps
 * (addresses in hex for PCI, decimal for drives) are strings: the model never rewrites them.
 */
export * from './model/common.js';
export * from './model/general.js';
export * from './model/os.js';
export * from './model/features.js';
export * from './model/devices.js';
export * from './model/chardev.js';
export * from './model/platform-devices.js';
export * from './model/domain.js';
