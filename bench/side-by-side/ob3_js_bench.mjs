// ob3_js_bench.mjs: per-operation timing of the Digital Credentials Consortium JS stack
// (eddsa-rdfc-2022 sign and verify) on the inputs written by `side_by_side gen`.
// Run by bench/side-by-side/run.sh: node ob3_js_bench.mjs INPUT_DIR
// Packages come from $OB_PEERS_DIR/node-ob3 (shared/peers/setup.sh); contexts only from the
// bundle of @digitalcredentials/security-document-loader; the network is disabled.
// Output: one JSON object per line {impl, op, median_us, ops, samples, batch}.
import fs from 'node:fs';
import path from 'node:path';
import {createRequire} from 'node:module';
import {pathToFileURL} from 'node:url';

const dir = process.argv[2];
if (!dir) { console.error('usage: node ob3_js_bench.mjs INPUT_DIR'); process.exit(2); }
const peers = process.env.OB_PEERS_DIR || path.join(process.env.HOME || '.', '.cache', 'openbadges-peers');
const nodeDir = path.join(peers, 'node-ob3');
const requireFromPeers = createRequire(path.join(nodeDir, 'package.json'));
const load = (name) => import(pathToFileURL(requireFromPeers.resolve(name)).href);

const vc = await load('@digitalcredentials/vc');
const {DataIntegrityProof} = await load('@digitalcredentials/data-integrity');
const {cryptosuite} = await load('@digitalcredentials/eddsa-rdfc-2022-cryptosuite');
const Ed25519Multikey = await load('@digitalcredentials/ed25519-multikey');
const {securityLoader} = await load('@digitalcredentials/security-document-loader');
globalThis.fetch = async (url) => { throw new Error(`offline benchmark: no fetch of ${url}`); };
const documentLoader = securityLoader({fetchRemoteContexts: false}).build();

const read = (f) => fs.readFileSync(path.join(dir, f), 'utf8');
const signedText = read('di-eddsa-rdfc-2022.json');
const unsigned = JSON.parse(read('di-unsigned.json'));
const seed = Buffer.from(read('ed25519-seed.hex').trim(), 'hex');
const created = read('di-created.txt').trim();
const ourProofValue = JSON.parse(signedText).proof.proofValue;

const keyPair = await Ed25519Multikey.generate({seed: Uint8Array.from(seed)});
keyPair.controller = `did:key:${keyPair.publicKeyMultibase}`;
keyPair.id = `${keyPair.controller}#${keyPair.publicKeyMultibase}`;
if (keyPair.controller !== unsigned.issuer.id) throw new Error(`did:key mismatch: ${keyPair.controller} vs ${unsigned.issuer.id}`);

async function verifyOnce() {
  const credential = JSON.parse(signedText);
  const suite = new DataIntegrityProof({cryptosuite});
  const r = await vc.verifyCredential({credential, suite, documentLoader});
  if (!r.verified) throw new Error('ob3-js did not verify our credential: ' + JSON.stringify(r.error || r.results));
}
async function signOnce() {
  const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite, date: created});
  const out = await vc.issue({credential: structuredClone(unsigned), suite, documentLoader});
  if (!out.proof || !out.proof.proofValue) throw new Error('ob3-js issued no proof');
  return out;
}

// Same method in all three harnesses: calibrate a batch size so one batch takes ~BATCH_MS,
// warm up for WARM_MS, then time SAMPLES batches; report the median time per operation.
const SAMPLES = Number(process.env.SAMPLES || 15);
const BATCH_MS = Number(process.env.BATCH_MS || 200);
const WARM_MS = Number(process.env.WARM_MS || 1000);
async function measure(op, fn) {
  let t0 = performance.now(); let n = 0;
  while (performance.now() - t0 < WARM_MS) { await fn(); n++; }
  const per = (performance.now() - t0) / n;
  const batch = Math.max(1, Math.round(BATCH_MS / per));
  const samples = [];
  for (let s = 0; s < SAMPLES; s++) {
    t0 = performance.now();
    for (let i = 0; i < batch; i++) await fn();
    samples.push((performance.now() - t0) * 1000 / batch);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  console.log(JSON.stringify({impl: 'ob3-js', op, median_us: median, ops: 1e6 / median, samples: SAMPLES, batch}));
}

// Correctness first: our credential verifies, and signing the same document with the same key
// and `created` gives our proofValue (Ed25519 is deterministic).
await verifyOnce();
const mine = await signOnce();
console.error(`ob3-js: our credential verifies; same proofValue as ours when signing: ${mine.proof.proofValue === ourProofValue}`);
if (mine.proof.proofValue !== ourProofValue) throw new Error('ob3-js proofValue differs from ours');
await measure('eddsa-rdfc-2022 verify', verifyOnce);
await measure('eddsa-rdfc-2022 sign', signOnce);
