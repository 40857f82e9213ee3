"""
Edits a domain the way virt-manager's details page does: virtinst parses libvirt's inactive XML
into a Guest, the properties change (title, current allocation, a new input device), and the
result is defined again with virDomainDefineXML (virt-manager's vmmDomain._redefine_xml_internal).
Usage: python3 virtinst-edit.py URI NAME
"""
import sys

sys.path.insert(0, "/usr/share/virt-manager")

import libvirt  # noqa: E402
from virtinst import DeviceInput, Guest  # noqa: E402
from virtinst.connection import VirtinstConnection  # noqa: E402

uri, name = sys.argv[1], sys.argv[2]
conn = VirtinstConnection(uri)
conn.open(None, None)
dom = conn.lookupByName(name)
guest = Guest(conn, parsexml=dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
guest.title = "Edited in virt-manager"
guest.currentMemory = 200 * 1024  # KiB
tablet = DeviceInput(conn)
tablet.type = "tablet"
tablet.bus = "usb"
guest.add_device(tablet)
conn.defineXML(guest.get_xml())
