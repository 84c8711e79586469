// Test-time oracle: answers key/address/message questions with the official Flux JS libraries
// (@runonflux/utxo-lib, @runonflux/bitcoinjs-message, bip39) so tests can compare FluxDesk's
// Python results with them. Reads one JSON array of cases on stdin, writes one JSON array out.
'use strict'
const utxolib = require('@runonflux/utxo-lib')
const message = require('@runonflux/bitcoinjs-message')
const bip39 = require('bip39')

const networks = { mainnet: utxolib.networks.flux, testnet: utxolib.networks.fluxtestnet }
const bitcoin = utxolib.networks.bitcoin

function answer (c) {
  const net = networks[c.network || 'mainnet']
  switch (c.kind) {
    case 'wif': {
      const pair = utxolib.ECPair.fromWIF(c.wif, net)
      return { address: pair.getAddress(), pubkey: pair.getPublicKeyBuffer().toString('hex'),
        wif: pair.toWIF(), compressed: pair.compressed }
    }
    case 'hd': {
      const node = utxolib.HDNode.fromSeedHex(c.seed, net).derivePath(c.path)
      return { xprv: node.toBase58(), xpub: node.neutered().toBase58(), address: node.getAddress() }
    }
    case 'xpub': {
      const node = utxolib.HDNode.fromBase58(c.xpub, net).derivePath(c.path)
      return { xpub: node.toBase58(), address: node.getAddress() }
    }
    case 'sign': {
      const sig = message.sign(c.message, Buffer.from(c.secret, 'hex'), c.compressed, c.prefix)
      return { signature: sig.toString('base64') }
    }
    case 'verify_btc': {
      return { valid: message.verify(c.message, c.address, c.signature, c.prefix) }
    }
    case 'btc_address': {
      const pair = utxolib.ECPair.fromPublicKeyBuffer(Buffer.from(c.pubkey, 'hex'), bitcoin)
      return { address: pair.getAddress() }
    }
    case 'p2sh': {
      const redeem = utxolib.script.multisig.output.encode(c.m, c.pubkeys.map(k => Buffer.from(k, 'hex')))
      const output = utxolib.script.scriptHash.output.encode(utxolib.crypto.hash160(redeem))
      return { redeem: redeem.toString('hex'), address: utxolib.address.fromOutputScript(output, net) }
    }
    case 'mnemonic': {
      const words = bip39.entropyToMnemonic(c.entropy)
      return { mnemonic: words, seed: bip39.mnemonicToSeedSync(words, c.passphrase).toString('hex') }
    }
    default:
      throw new Error('unknown case kind ' + c.kind)
  }
}

let input = ''
process.stdin.on('data', chunk => { input += chunk })
process.stdin.on('end', () => {
  const out = JSON.parse(input).map(c => {
    try { return answer(c) } catch (e) { return { error: String(e.message || e) } }
  })
  process.stdout.write(JSON.stringify(out))
})
