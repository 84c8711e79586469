// Test-time oracle: reads a JSON list of cases on stdin, answers with utxo-lib's results on stdout.
// Case kinds: "p2pkh" (build + sign), "multisig" (P2SH m-of-n, signed by some keys), "sighash".
'use strict'
const utxolib = require('@runonflux/utxo-lib')

const network = utxolib.networks.flux

function builder (c) {
  const txb = new utxolib.TransactionBuilder(network, 1e12)
  txb.setVersion(4)
  txb.setVersionGroupId(0x892F2085)
  txb.setLockTime(c.locktime)
  txb.setExpiryHeight(c.expiry)
  for (const i of c.inputs) txb.addInput(i.txid, i.vout, 0xffffffff)
  for (const o of c.outputs) {
    if (o.data !== undefined) {
      txb.addOutput(utxolib.script.nullData.output.encode(Buffer.from(o.data, 'hex')), 0)
    } else {
      txb.addOutput(o.address, o.value)
    }
  }
  return txb
}

function run (c) {
  if (c.kind === 'p2pkh') {
    const txb = builder(c)
    c.inputs.forEach((i, n) => {
      txb.sign(n, utxolib.ECPair.fromWIF(i.wif, network), null, 1, i.value)
    })
    return txb.build().toHex()
  }
  if (c.kind === 'multisig') {
    const txb = builder(c)
    const redeem = Buffer.from(c.redeem, 'hex')
    c.inputs.forEach((i, n) => {
      for (const wif of c.signers) {
        txb.sign(n, utxolib.ECPair.fromWIF(wif, network), redeem, 1, i.value)
      }
    })
    return (c.complete ? txb.build() : txb.buildIncomplete()).toHex()
  }
  if (c.kind === 'sighash') {
    const tx = utxolib.Transaction.fromHex(c.tx, network)
    return tx.hashForZcashSignature(c.index, Buffer.from(c.script, 'hex'), c.amount, c.hashType)
      .toString('hex')
  }
  throw new Error('unknown case kind ' + c.kind)
}

let input = ''
process.stdin.on('data', (d) => { input += d })
process.stdin.on('end', () => {
  const out = JSON.parse(input).map((c) => {
    try {
      return { ok: run(c) }
    } catch (e) {
      return { error: String(e && e.message) }
    }
  })
  process.stdout.write(JSON.stringify(out))
})
