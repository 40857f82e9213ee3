export * from './model.js';
export * from './document.js';
export * from './address.js';
export { sameXml, parseXml, writeXml, type XmlElement, type XmlChild } from './xml-node.js';
