#!/usr/bin/env node
// A Hotline client in Node.js: submit requests for help, and follow the live feed.
//
// protos/ is loaded at run time with @grpc/proto-loader, so the example always matches the
// contract it runs against. Tokens are read from a file named by --token-file (never from the
// command line, where other users can see them in `ps`).
//
//   node hotline_example.js submit --token-file web-form.token --request-id sms-4711 \
//       --channel CHANNEL_SMS --message-file message.txt [--language ru] [--urgency URGENCY_URGENT]
//   node hotline_example.js watch --token-file feed.token [--resume-after REVISION] [--stop-after-changes N]
//
// Every result is one JSON line on stdout; nothing printed ever holds a message or contact handle.
// Exit codes: 0 done; 2 refused by the server (the JSON line says why); 3 gave up retrying.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const repository = path.resolve(__dirname, '..', '..');
const protoDir = path.join(repository, 'protos');
const detailsFile = path.join(repository, 'examples', 'proto', 'rpc_details.proto');

// Codes after which the same call, with the same request_id, may succeed: nothing was stored.
const retryable = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.RESOURCE_EXHAUSTED]);
// RESOURCE_EXHAUSTED is retryable only for these reasons; MESSAGE_TOO_LARGE never succeeds.
const retryableExhaustion = new Set(['RATE_LIMITED', 'TOO_MANY_WATCHES', 'WATCH_TOO_SLOW', '']);

function loadContract() {
  const files = fs.readdirSync(path.join(protoDir, 'hotline', 'v1'))
    .filter((f) => f.endsWith('.proto'))
    .map((f) => `hotline/v1/${f}`);
  // enums as names and int64 as strings keep the JSON output exact and readable.
  const definition = protoLoader.loadSync(files, {
    // contract/imports declares the google/api HTTP annotations the contract imports.
    includeDirs: [protoDir, path.join(repository, 'contract', 'imports')], keepCase: true, enums: String, longs: String, defaults: true, oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).hotline.v1;
}

const details = new protobuf.Root().loadSync(detailsFile, { keepCase: true });
const Status = details.lookupType('hotline_examples.Status');
const ErrorInfo = details.lookupType('hotline_examples.ErrorInfo');
const BadRequest = details.lookupType('hotline_examples.BadRequest');
const RetryInfo = details.lookupType('hotline_examples.RetryInfo');

// Decodes google.rpc.Status from the grpc-status-details-bin trailer of a failed call.
function statusDetails(error) {
  const found = { reason: '', metadata: {}, field_violations: [], retry_delay_seconds: null };
  const raw = error.metadata ? error.metadata.get('grpc-status-details-bin') : [];
  for (const value of raw) {
    const status = Status.decode(value);
    for (const detail of status.details) {
      const kind = detail.type_url.split('/').pop();
      if (kind === 'google.rpc.ErrorInfo') {
        const info = ErrorInfo.decode(detail.value);
        found.reason = info.reason;
        found.metadata = { ...info.metadata };
      } else if (kind === 'google.rpc.BadRequest') {
        found.field_violations = BadRequest.decode(detail.value).field_violations
          .map((v) => ({ field: v.field, description: v.description }));
      } else if (kind === 'google.rpc.RetryInfo') {
        const delay = RetryInfo.decode(detail.value).retry_delay || {};
        found.retry_delay_seconds = Number(delay.seconds || 0) + (delay.nanos || 0) / 1e9;
      }
    }
  }
  return found;
}

function codeName(code) {
  return Object.keys(grpc.status).find((name) => grpc.status[name] === code) || String(code);
}

// The server's messages never repeat what was submitted, so they are safe to print.
function describe(error) {
  return { ok: false, code: codeName(error.code), message: error.details, ...statusDetails(error) };
}

function shouldRetry(error, found) {
  if (!retryable.has(error.code)) return false;
  return error.code !== grpc.status.RESOURCE_EXHAUSTED || retryableExhaustion.has(found.reason);
}

function emit(line) {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function readToken(file) {
  const token = fs.readFileSync(file, 'utf8').trim();
  if (!token) throw new Error(`${file} holds no token`);
  return token;
}

// Plaintext only for a loopback development server; otherwise TLS, optionally pinned.
function credentials(options) {
  if (options.plaintext) return grpc.credentials.createInsecure();
  // Trusting exactly the server's own (self-signed) certificate pins it: no CA can vouch for an
  // impostor. Without it the system's CAs are used.
  const root = options['server-certificate'] ? fs.readFileSync(options['server-certificate']) : null;
  return grpc.credentials.createSsl(root);
}

function bearer(options) {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${readToken(options['token-file'])}`);
  return metadata;
}

const sleep = (seconds) => new Promise((resolve) => { setTimeout(resolve, seconds * 1000); });

async function submit(v1, options) {
  const request = {
    request_id: options['request-id'],
    channel: options.channel,
    message: fs.readFileSync(options['message-file'], 'utf8'),
    language: options.language || '',
    urgency: options.urgency,
  };
  if (options['contact-handle-file']) {
    request.contact_handle = fs.readFileSync(options['contact-handle-file'], 'utf8').trim();
  }
  const client = new v1.IntakeService(options.address, credentials(options), channelOptions);
  const metadata = bearer(options);
  const attempts = Number(options.attempts);
  let delay = 0.2;
  try {
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        const receipt = await new Promise((resolve, reject) => {
          client.SubmitRequest(request, metadata, { deadline: Date.now() + 10000 },
            (error, response) => (error ? reject(error) : resolve(response)));
        });
        emit({ ok: true, name: receipt.name, number: Number(receipt.number), duplicate: receipt.duplicate, attempts: attempt });
        return 0;
      } catch (error) {
        if (error.code === undefined) throw error;
        const found = statusDetails(error);
        const again = shouldRetry(error, found);
        if (!again || attempt === attempts) {
          emit({ ...describe(error), attempts: attempt });
          return again ? 3 : 2;
        }
        // Honour the server's RetryInfo; otherwise back off exponentially, with jitter.
        const serverSaid = found.retry_delay_seconds !== null;
        let wait = found.retry_delay_seconds;
        if (!serverSaid) {
          wait = delay * (0.5 + Math.random());
          delay = Math.min(delay * 2, 10);
        }
        emit({ ok: false, retrying_in_seconds: Number(wait.toFixed(3)), code: codeName(error.code), reason: found.reason, server_said: serverSaid, attempt });
        await sleep(wait);
      }
    }
    return 3;
  } finally {
    client.close();
  }
}

// Follows the feed; a dropped stream resumes after the last applied revision, exactly once.
async function watch(v1, options) {
  const client = new v1.RequestService(options.address, credentials(options), channelOptions);
  const metadata = bearer(options);
  const stopAfter = Number(options['stop-after-changes']);
  let lastApplied = Number(options['resume-after']); // 0: start with a snapshot
  let changes = 0;
  let reconnects = 0;
  try {
    for (;;) {
      const call = client.WatchRequests({ start_revision: lastApplied ? String(lastApplied + 1) : '0' }, metadata);
      try {
        for await (const event of call) {
          if (event.event === 'reset') {
            lastApplied = 0;
            emit({ event: 'reset', reason: event.reset.reason });
          } else if (event.event === 'snapshot') {
            emit({ event: 'snapshot', requests: event.snapshot.requests.map((r) => r.name) });
          } else if (event.event === 'snapshot_end') {
            lastApplied = Number(event.snapshot_end.revision);
            emit({ event: 'snapshot_end', revision: lastApplied });
          } else if (event.event === 'progress') {
            lastApplied = Math.max(lastApplied, Number(event.progress.revision));
            emit({ event: 'progress', revision: Number(event.progress.revision) });
          } else if (event.event === 'change') {
            const change = event.change;
            const revision = Number(change.revision);
            // Already applied before a reconnect: at-least-once on the wire, exactly once here.
            if (revision <= lastApplied) continue;
            lastApplied = revision;
            changes += 1;
            emit({
              event: 'change', revision, kind: change.kind, name: change.name,
              state: change.request ? change.request.state : '', assignee: change.request ? change.request.assignee : '',
              actor: change.actor,
            });
            if (stopAfter && changes >= stopAfter) {
              call.cancel();
              emit({ event: 'stopped', last_applied: lastApplied });
              return 0;
            }
          }
        }
        emit({ event: 'ended', last_applied: lastApplied });
        return 0;
      } catch (error) {
        if (error.code === undefined) throw error;
        const found = statusDetails(error);
        if (!shouldRetry(error, found) || reconnects >= Number(options.attempts)) {
          emit({ event: 'failed', ...describe(error), last_applied: lastApplied });
          return 2;
        }
        reconnects += 1;
        const wait = found.retry_delay_seconds ?? Math.min(0.5 * 2 ** reconnects, 10) * (0.5 + Math.random());
        emit({ event: 'reconnecting', code: codeName(error.code), reason: found.reason, in_seconds: Number(wait.toFixed(3)), last_applied: lastApplied });
        await sleep(wait);
      }
    }
  } finally {
    client.close();
  }
}

const channelOptions = { 'grpc.keepalive_time_ms': 60000, 'grpc.keepalive_timeout_ms': 30000 };

async function main() {
  const { values: options, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      address: { type: 'string', default: '127.0.0.1:5171' },
      plaintext: { type: 'boolean', default: false },
      'server-certificate': { type: 'string' },
      'token-file': { type: 'string' },
      attempts: { type: 'string', default: '8' },
      'request-id': { type: 'string' },
      channel: { type: 'string', default: 'CHANNEL_WEB_FORM' },
      'message-file': { type: 'string' },
      'contact-handle-file': { type: 'string' },
      language: { type: 'string' },
      urgency: { type: 'string', default: 'URGENCY_UNSPECIFIED' },
      'resume-after': { type: 'string', default: '0' },
      'stop-after-changes': { type: 'string', default: '0' },
    },
  });
  const command = positionals[0];
  const required = { submit: ['token-file', 'request-id', 'message-file'], watch: ['token-file'] }[command];
  if (!required) {
    process.stderr.write('usage: hotline_example.js submit|watch --token-file FILE ... (see the comment at the top)\n');
    return 64;
  }
  const missing = required.filter((name) => !options[name]);
  if (missing.length) {
    process.stderr.write(`missing --${missing.join(', --')}\n`);
    return 64;
  }
  const v1 = loadContract();
  return command === 'submit' ? submit(v1, options) : watch(v1, options);
}

main().then((code) => { process.exitCode = code; }, (error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exitCode = 1;
});
