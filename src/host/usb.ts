/**
 * USB devices from `/sys/bus/usb/devices/*` (devices, not interfaces: interfaces have no idVendor).
 */
import { listDir, readNumber, readTrimmed } from './read.js';

export interface UsbDevice {
  /** sysfs name: `1-1.2`, or `usb1` for a root hub. */
  name: string;
  vendor: number;
  product: number;
  manufacturer?: string;
  productName?: string;
  busnum?: number;
  devnum?: number;
  /** Root hubs (`usbN`, vendor 0x1d6b Linux Foundation) are not devices a user passes through. */
  rootHub: boolean;
}

const USB_DEVICES = '/sys/bus/usb/devices';

async function readUsbDevice(root: string, name: string): Promise<UsbDevice | undefined> {
  const dir = `${USB_DEVICES}/${name}`;
  const vendor = await readTrimmed(root, `${dir}/idVendor`);
  const product = await readTrimmed(root, `${dir}/idProduct`);
  if (vendor === undefined || product === undefined) return undefined;
  const dev: UsbDevice = {
    name,
    // idVendor/idProduct are 4 hex digits without 0x.
    vendor: parseInt(vendor, 16),
    product: parseInt(product, 16),
    rootHub: name.startsWith('usb'),
  };
  const [manufacturer, productName, busnum, devnum] = await Promise.all([
    readTrimmed(root, `${dir}/manufacturer`),
    readTrimmed(root, `${dir}/product`),
    readNumber(root, `${dir}/busnum`),
    readNumber(root, `${dir}/devnum`),
  ]);
  if (manufacturer !== undefined) dev.manufacturer = manufacturer;
  if (productName !== undefined) dev.productName = productName;
  if (busnum !== undefined) dev.busnum = busnum;
  if (devnum !== undefined) dev.devnum = devnum;
  return dev;
}

export async function readUsbDevices(root: string): Promise<UsbDevice[]> {
  const names = (await listDir(root, USB_DEVICES)).filter((n) => !n.includes(':'));
  const devices = await Promise.all(names.map((n) => readUsbDevice(root, n)));
  return devices.filter((d): d is UsbDevice => d !== undefined);
}

/** `046d:c051`, the spelling of `lsusb` and of the config's `usb` entries. */
export function usbIds(dev: Pick<UsbDevice, 'vendor' | 'product'>): string {
  return `${dev.vendor.toString(16).padStart(4, '0')}:${dev.product.toString(16).padStart(4, '0')}`;
}
