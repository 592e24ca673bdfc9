// A wallet over the OpenWallet Foundation's @openid4vc/openid4vci (pinned in package.json):
//   node wallet.mjs OFFER_URI OUT_DIR
// resolves the credential offer (by value or reference), reads the issuer and authorization
// server metadata, redeems the pre-authorized code (no transaction code), then for each offered
// configuration asks the nonce endpoint for a c_nonce, signs a key proof (ldp_vc: an Ed25519
// did:key; jwt_vc_json: a P-256 did:jwk) and receives the credential. Writes OUT_DIR/<config>.json
// (the credential: a JSON object, or the VC-JWT as a JSON string) and OUT_DIR/wallet.json
// ({"dids": {config: did}, "version": ...}). Exit 0 when every configuration was received.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Openid4vciClient } from '@openid4vc/openid4vci'
import { clientAuthenticationAnonymous, setGlobalConfig } from '@openid4vc/oauth2'

// Loopback http: the app under test is not behind TLS.
setGlobalConfig({ allowInsecureUrls: true })

const [offerUri, outDir] = process.argv.slice(2)
if (!offerUri || !outDir) {
  console.error('usage: wallet.mjs OFFER_URI OUT_DIR')
  process.exit(2)
}

const b64u = (buf) => Buffer.from(buf).toString('base64url')
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
function base58(bytes) {
  let n = BigInt('0x' + Buffer.from(bytes).toString('hex'))
  let s = ''
  while (n > 0n) { s = B58[Number(n % 58n)] + s; n /= 58n }
  for (const b of bytes) { if (b === 0) s = '1' + s; else break }
  return s
}

// Two holder keys: Ed25519 as did:key, P-256 as did:jwk.
function ed25519DidKey() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519')
  const jwk = publicKey.export({ format: 'jwk' })
  const raw = Buffer.from(jwk.x, 'base64url')
  const mk = 'z' + base58(Buffer.concat([Buffer.from([0xed, 0x01]), raw]))
  const did = `did:key:${mk}`
  return { did, alg: 'EdDSA', privateKey, publicJwk: jwk, signer: { method: 'did', didUrl: `${did}#${mk}`, alg: 'EdDSA' } }
}
function p256DidJwk() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = publicKey.export({ format: 'jwk' })
  const did = `did:jwk:${b64u(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))}`
  return { did, alg: 'ES256', privateKey, publicJwk: jwk, signer: { method: 'did', didUrl: `${did}#0`, alg: 'ES256' } }
}

const keys = new Map()
const callbacks = {
  fetch: (...a) => fetch(...a),
  generateRandom: (n) => crypto.randomBytes(n),
  // The pre-authorized code grant without client authentication (the AS metadata says so).
  clientAuthentication: clientAuthenticationAnonymous(),
  hash: (data, alg) => crypto.createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
  signJwt: async (signer, { header, payload }) => {
    const key = keys.get(signer.didUrl)
    if (!key) throw new Error(`no key for ${signer.didUrl}`)
    const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`
    const sig = key.alg === 'EdDSA'
      ? crypto.sign(null, Buffer.from(input), key.privateKey)
      : crypto.sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
    return { jwt: `${input}.${b64u(sig)}`, signerJwk: key.publicJwk }
  },
}

const client = new Openid4vciClient({ callbacks })
const offer = await client.resolveCredentialOffer(offerUri)
const metadata = await client.resolveIssuerMetadata(offer.credential_issuer)
console.error(`issuer ${offer.credential_issuer}: OpenID4VCI version ${metadata.originalDraftVersion}`)
const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
  credentialOffer: offer,
  issuerMetadata: metadata,
})
fs.mkdirSync(outDir, { recursive: true })
const dids = {}
for (const configurationId of offer.credential_configuration_ids) {
  const format = metadata.credentialIssuer.credential_configurations_supported[configurationId].format
  const key = format === 'ldp_vc' ? ed25519DidKey() : p256DidJwk()
  keys.set(key.signer.didUrl, key)
  const { c_nonce } = await client.requestNonce({ issuerMetadata: metadata })
  const { jwt } = await client.createCredentialRequestJwtProof({
    issuerMetadata: metadata,
    credentialConfigurationId: configurationId,
    signer: key.signer,
    nonce: c_nonce,
  })
  const { credentialResponse } = await client.retrieveCredentials({
    issuerMetadata: metadata,
    accessToken: accessTokenResponse.access_token,
    credentialConfigurationId: configurationId,
    proofs: { jwt: [jwt] },
  })
  const credential = credentialResponse.credentials[0].credential
  fs.writeFileSync(path.join(outDir, `${configurationId}.json`), JSON.stringify(credential, null, 2))
  dids[configurationId] = key.did
  console.error(`received ${configurationId} (${format}) for ${key.did.slice(0, 40)}…`)
}
fs.writeFileSync(path.join(outDir, 'wallet.json'), JSON.stringify({ dids, version: metadata.originalDraftVersion }, null, 2))
