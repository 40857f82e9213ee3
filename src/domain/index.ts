export * from './model.js';
export * from './document.js';
export * from './address.js';
export { sameXml, type XmlElement, type XmlChild } from './xml-node.js';
export { parseXml, XmlSyntaxError } from './xml-read.js';
export { writeXml } from './xml-write.js';
