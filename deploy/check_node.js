// The Node.js osls and serverless-offline need (package.json "engines"), checked before `npm ci`
// so that an old Node fails with a sentence instead of a stack trace from deep inside osls.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`voice-receipts needs Node.js 20.19+ (22+ from January 2027); this is ${process.version}.`);
  process.exit(1);
}
if (major < 22) {
  // osls's AWS SDK for JavaScript stops supporting Node 20 after the first week of January 2027
  console.error(`note: Node.js ${process.version} works today; osls needs Node.js 22+ from January 2027.`);
}
