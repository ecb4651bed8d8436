'use strict'
// shs-node.js — runs one role of the Secret Handshake with the reference
// JavaScript implementation (npm `secret-handshake` v1) over stdin/stdout,
// for tests/interop/shs-interop.sh.
//
//   node shs-node.js client NETKEY SEED SERVER_PK RESULT_FILE
//   node shs-node.js server NETKEY SEED RESULT_FILE
//
// Same arguments and RESULT_FILE lines as tests/interop/shs-peer.c (minus
// the balint-only c2s/s2c keys).  The modules are found through NODE_PATH.
// After the handshake it sends one box-stream message and the box-stream
// goodbye, ends stdout and exits once that is flushed.  Exit 0 on success,
// 1 on a failed handshake, 2 on bad usage.

var fs = require('fs')
var pull = require('pull-stream')
var SHS = require('secret-handshake')
var chloride = require('chloride')

var argv = process.argv.slice(2)
var role = argv[0]
if (!((role === 'client' && argv.length === 5) ||
      (role === 'server' && argv.length === 4))) {
  process.stderr.write('usage: shs-node.js client NETKEY SEED SERVER_PK RESULT_FILE\n' +
    '       shs-node.js server NETKEY SEED RESULT_FILE\n')
  process.exit(2)
}

function hex32 (what, h) {
  if (!/^[0-9a-fA-F]{64}$/.test(h)) {
    process.stderr.write('shs-node: ' + what + " '" + h + "' is not 64 hex digits\n")
    process.exit(2)
  }
  return Buffer.from(h, 'hex')
}

var appKey = hex32('network key', argv[1])
var keys = chloride.crypto_sign_seed_keypair(hex32('seed', argv[2]))
var resultFile = argv[argv.length - 1]

// A pull-stream source reading a node Readable.
function fromReadable (rs) {
  var queue = []
  var ended = null
  var waiting = null
  function drain () {
    if (!waiting) return
    var cb = waiting
    if (queue.length) { waiting = null; cb(null, queue.shift()) }
    else if (ended) { waiting = null; cb(ended) }
  }
  rs.on('data', function (d) { queue.push(d); drain() })
  rs.on('end', function () { ended = ended || true; drain() })
  rs.on('error', function (e) { ended = e; drain() })
  return function (abort, cb) {
    if (abort) {
      ended = ended || true
      rs.pause()
      return cb(abort)
    }
    waiting = cb
    drain()
  }
}

// A pull-stream sink writing to a node Writable; done() once it is flushed.
function toWritable (ws, done) {
  ws.on('error', function (e) { done(e) })
  return function (read) {
    read(null, function next (end, data) {
      if (end) {
        ws.end(function () { done(end === true ? null : end) })
        return
      }
      ws.write(data)
      read(null, next)
    })
  }
}

var finished = false
function fail (err) {
  if (finished) return
  finished = true
  process.stderr.write('shs-node: handshake failed: ' + (err && err.message || err) + '\n')
  process.exit(1)
}

function onSecure (err, stream) {
  if (err) return fail(err)
  var c = stream.crypto
  var lines = [
    'local_pk=' + keys.publicKey.toString('hex'),
    'remote_pk=' + stream.remote.toString('hex'),
    'enc_key=' + Buffer.from(c.encryptKey).toString('hex'),
    'enc_nonce=' + Buffer.from(c.encryptNonce).toString('hex'),
    'dec_key=' + Buffer.from(c.decryptKey).toString('hex'),
    'dec_nonce=' + Buffer.from(c.decryptNonce).toString('hex')
  ]
  fs.writeFileSync(resultFile, lines.join('\n') + '\n')
  // One boxed message, then the goodbye; ending the sink ends stdout.
  pull(pull.values([Buffer.from('balint interop')]), stream.sink)
}

var cipher
if (role === 'client') {
  var serverPk = hex32('server key', argv[3])
  cipher = SHS.createClient(keys, appKey, 10000)(serverPk, onSecure)
} else {
  var authorize = function (id, cb) { cb(null, true) }
  cipher = SHS.createServer(keys, authorize, appKey, 10000)(onSecure)
}

pull(fromReadable(process.stdin), cipher, toWritable(process.stdout, function (err) {
  if (err) return fail(err)
  if (!fs.existsSync(resultFile)) return fail(new Error('stream ended before the handshake finished'))
  finished = true
  process.exit(0)
}))
