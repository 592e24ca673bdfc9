// dcc-verify.mjs: verify a credential or a presentation with the Digital Credentials Consortium
// JavaScript stack (@digitalcredentials/vc, data-integrity, eddsa-rdfc-2022-cryptosuite,
// vc-bitstring-status-list), as installed by ../shared/peers/setup.sh into
// $OB_PEERS_DIR/node-ob3. It complements the shared `ob3-js verify`, which checks no status and
// verifies credentials only. Run it through the `dcc-verify` wrapper beside it.
//
// usage: dcc-verify credential FILE [--status]
//        dcc-verify presentation FILE [--challenge C] [--domain D] [--unsigned] [--status]
//   credential    FILE is credential JSON. --status checks BitstringStatusList entries with the
//                 DCC's own checkStatus (the list credential is fetched and verified too).
//   presentation  FILE is a VerifiablePresentation JSON. Its proof must have purpose
//                 `authentication` by a key the `holder` controls; --challenge/--domain are the
//                 values the verifier expects (without --challenge, the challenge is not
//                 checked); --unsigned accepts a presentation without a proof. Every embedded
//                 credential is verified too.
// Prints {"verified": bool, "errors": [...]} and exits 0 iff verified (1 not verified, 2 usage).
//
// Documents: the contexts bundled by @digitalcredentials/security-document-loader, the CLR 2.0
// context from fixtures/ob3/contexts, did:key, and documents served on loopback (127.0.0.1,
// localhost, [::1]) over http(s), fetched for real (status lists, controller documents). Any
// other URL is refused, so nothing leaves the machine. A verification method
// `<https-url>#z6Mk…` whose controller document cannot be loaded is read as a Multikey whose key
// is the fragment (the 1EdTech validator's rule).
import fs from 'node:fs';
import path from 'node:path';
import {createRequire} from 'node:module';
import {fileURLToPath, pathToFileURL} from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CONTEXTS = path.join(HERE, '..', '..', '..', 'fixtures', 'ob3', 'contexts');
const PEERS = process.env.OB_PEERS_DIR || path.join(process.env.HOME || '.', '.cache', 'openbadges-peers');
const NODE_DIR = path.join(PEERS, 'node-ob3');
const USAGE = 'usage: dcc-verify credential FILE [--status]\n' +
  '       dcc-verify presentation FILE [--challenge C] [--domain D] [--unsigned] [--status]';

function usage(code) { (code ? console.error : console.log)(USAGE); process.exit(code); }
const args = process.argv.slice(2);
if (args.length === 0 || args[0] === '-h' || args[0] === '--help') usage(args.length ? 0 : 2);
const [mode, file, ...rest] = args;
if (!['credential', 'presentation'].includes(mode) || !file) usage(2);
const opts = {status: false, unsigned: false, challenge: undefined, domain: undefined};
for (let i = 0; i < rest.length; i++) {
  const a = rest[i];
  if (a === '--status') opts.status = true;
  else if (a === '--unsigned' && mode === 'presentation') opts.unsigned = true;
  else if ((a === '--challenge' || a === '--domain') && mode === 'presentation' && i + 1 < rest.length) {
    opts[a.slice(2)] = rest[++i];
  } else usage(2);
}
if (!fs.existsSync(path.join(NODE_DIR, 'node_modules'))) {
  console.error(`dcc-verify: peer not installed: ${NODE_DIR}/node_modules missing; run ../shared/peers/setup.sh`);
  process.exit(2);
}

const req = createRequire(path.join(NODE_DIR, 'package.json'));
const imp = (name) => import(pathToFileURL(req.resolve(name)).href);
const vc = await imp('@digitalcredentials/vc');
const {DataIntegrityProof} = await imp('@digitalcredentials/data-integrity');
const {cryptosuite: eddsaRdfc2022} = await imp('@digitalcredentials/eddsa-rdfc-2022-cryptosuite');
const {securityLoader} = await imp('@digitalcredentials/security-document-loader');
const {checkStatus} = await imp('@digitalcredentials/vc-bitstring-status-list');
const jsigsModule = await imp('@digitalcredentials/jsonld-signatures');
const jsigs = jsigsModule.default || jsigsModule;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const FRAG_KEY = /^(https?:\/\/[^#]+)#(z6Mk[1-9A-HJ-NP-Za-km-z]+)$/;

function buildLoader() {
  const loader = securityLoader({fetchRemoteContexts: false});
  const clr = path.join(CONTEXTS, 'clr-v2p0-context-2.0.1.json');
  loader.addStatic('https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json',
    JSON.parse(fs.readFileSync(clr, 'utf8')));
  return loader.build();
}
const bundled = buildLoader();

async function fetchLoopback(url) {
  const u = new URL(url);
  if (!['http:', 'https:'].includes(u.protocol) || !LOOPBACK.has(u.hostname)) {
    throw new Error(`dcc-verify fetches loopback documents only: ${url}`);
  }
  const res = await fetch(url, {headers: {accept: 'application/ld+json, application/json'}, redirect: 'error'});
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${url}`);
  return res.json();
}

// A node of a controller document by its id (the document itself, or a verification method).
function findNode(doc, id) {
  if (doc && doc.id === id) return doc;
  for (const key of ['verificationMethod', 'assertionMethod', 'authentication']) {
    for (const n of [].concat(doc?.[key] || [])) if (n && typeof n === 'object' && n.id === id) return n;
  }
  return null;
}

async function documentLoader(url) {
  try {
    return await bundled(url);
  } catch (bundledError) {
    if (!/^https?:/.test(url)) throw bundledError;
    const [base] = url.split('#');
    let doc = null;
    try { doc = await fetchLoopback(base); } catch (e) { doc = null; }
    if (doc) {
      const node = url.includes('#') ? findNode(doc, url) : doc;
      if (node) {
        const document = node === doc ? doc : {'@context': doc['@context'], ...node};
        return {contextUrl: null, documentUrl: url, document};
      }
    }
    const synthetic = url.includes('#') ? null : fragmentControllers.get(url);
    if (synthetic) {
      return {contextUrl: null, documentUrl: url, document: {
        '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
        id: url, ...synthetic}};
    }
    const m = FRAG_KEY.exec(url);
    if (m) {
      return {contextUrl: null, documentUrl: url, document: {
        '@context': 'https://w3id.org/security/multikey/v1', id: url, type: 'Multikey',
        controller: m[1], publicKeyMultibase: m[2]}};
    }
    throw bundledError;
  }
}

// For the 1EdTech validator's rule: controller URL → {proofPurpose: [fragment-key vm]} of every
// proof in the input (the presentation's and its credentials'), used only when the controller
// document itself cannot be loaded.
const fragmentControllers = new Map();
function collectFragmentKeys(node, depth = 0) {
  if (!node || typeof node !== 'object' || depth > 8) return;
  if (Array.isArray(node)) { node.forEach(n => collectFragmentKeys(n, depth + 1)); return; }
  for (const p of [].concat(node.proof || [])) {
    const m = p && typeof p.verificationMethod === 'string' && FRAG_KEY.exec(p.verificationMethod);
    if (m && typeof p.proofPurpose === 'string') {
      const entry = fragmentControllers.get(m[1]) || {};
      entry[p.proofPurpose] = [...new Set([...(entry[p.proofPurpose] || []), p.verificationMethod])];
      fragmentControllers.set(m[1], entry);
    }
  }
  collectFragmentKeys(node.verifiableCredential, depth + 1);
  collectFragmentKeys(node.credentialSubject?.verifiableCredential, depth + 1);
}

function errorsOf(r) {
  const out = [];
  const walk = (e) => {
    if (!e) return;
    if (Array.isArray(e)) { e.forEach(walk); return; }
    if (e.errors) { walk(e.errors); }
    out.push(String(e.message || e));
  };
  walk(r.error);
  for (const res of r.results || []) walk(res.error);
  for (const res of r.credentialResults || []) { walk(res.error); for (const x of res.results || []) walk(x.error); }
  if (r.statusResult && r.statusResult.verified === false) {
    out.push(r.statusResult.error ? String(r.statusResult.error.message) : 'status: the credential is revoked or suspended');
  }
  for (const res of r.credentialResults || []) {
    if (res.statusResult && res.statusResult.verified === false) {
      out.push(res.statusResult.error ? String(res.statusResult.error.message) : 'status: an embedded credential is revoked or suspended');
    }
  }
  return [...new Set(out)];
}

let input;
try { input = JSON.parse(fs.readFileSync(file, 'utf8')); } catch (e) {
  console.error(`dcc-verify: cannot read ${file}: ${e.message}`); process.exit(2);
}
collectFragmentKeys(input);
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
const common = {suite, documentLoader};
if (opts.status) common.checkStatus = checkStatus;

let result;
if (mode === 'credential') {
  result = await vc.verifyCredential({credential: input, ...common});
} else {
  const holder = typeof input.holder === 'object' ? input.holder?.id : input.holder;
  const presentationPurpose = opts.challenge !== undefined
    ? new jsigs.purposes.AuthenticationProofPurpose({controller: undefined, challenge: opts.challenge, domain: opts.domain})
    : new jsigs.purposes.ControllerProofPurpose({term: 'authentication'});
  result = await vc.verify({presentation: input, presentationPurpose, unsignedPresentation: opts.unsigned, ...common});
  // A presentation without any proof is refused unless --unsigned was given (jsonld-signatures
  // says "No matching proofs found"; this says why in plain words).
  if (!opts.unsigned && [].concat(input.proof || []).length === 0) {
    result.verified = false; result.error = new Error('the presentation has no proof (use --unsigned to accept one)');
  }
  // The DCC library does not tie the presentation proof to `holder`; do it here.
  if (result.verified && !opts.unsigned && holder) {
    const vms = [].concat(input.proof || []).map(p => p && p.verificationMethod).filter(Boolean);
    const owned = vms.some(vm => vm.split('#')[0] === holder);
    if (!owned) { result.verified = false; result.error = new Error(`the proof's verification method is not controlled by the holder ${holder}`); }
  }
}
const errors = errorsOf(result);
const out = {verified: !!result.verified, errors};
console.log(JSON.stringify(out));
process.exit(out.verified ? 0 : 1);
