/**
 * Domain XML documents, both directions. Hot paths import read.ts or write.ts directly so that
 * they load only the XML library they use.
 */
export { DomainXmlError, parseDomainXml } from './read.js';
export { domainToElement, writeDomainXml } from './write.js';
