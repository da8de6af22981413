// Uploads STE1 files to a TrainGuard receiver with tus-js-client, the reference tus client, to
// prove that a standard tus client interoperates (issue: "any standard tus client must be able
// to upload"). Three uploads: the whole file in one PATCH (tus-js-client's default), a chunked
// upload, and a chunked upload aborted half-way and resumed from its URL (HEAD, then PATCH).
// Usage: node tus-js-upload.mjs URL TOKEN FILE SHA256 (the CA comes from NODE_EXTRA_CA_CERTS).
import { createRequire } from 'node:module';
import { readFileSync, statSync } from 'node:fs';
import { createReadStream } from 'node:fs';

const require = createRequire(process.env.TUS_JS_CLIENT_DIR + '/');
const tus = require('tus-js-client');
const [url, tokenFile, file, sha256] = process.argv.slice(2);
const token = readFileSync(tokenFile, 'utf8').trim();
const size = statSync(file).size;

function upload(name, options) {
    return new Promise((resolve, reject) => {
        const u = new tus.Upload(options.body ?? createReadStream(file), {
            endpoint: url + '/files/',
            headers: { Authorization: 'Bearer ' + token },
            metadata: { filename: name, sha256 },
            uploadSize: size,
            retryDelays: [],
            ...options.tus,
            onError: reject,
            onSuccess: () => resolve(u.url),
            onProgress: (sent) => options.onProgress?.(u, sent),
        });
        u.start();
    });
}

const results = {};
results.single = await upload('single.bin', { body: readFileSync(file) });
results.chunked = await upload('chunked.bin', { tus: { chunkSize: 256 * 1024 } });
// Abort once a third is sent, then resume a new Upload from the same URL.
let abortedUrl = null;
await new Promise((resolve) => {
    const u = new tus.Upload(createReadStream(file), {
        endpoint: url + '/files/',
        headers: { Authorization: 'Bearer ' + token },
        metadata: { filename: 'resumed.bin', sha256 },
        uploadSize: size,
        chunkSize: 128 * 1024,
        retryDelays: [],
        onError: (e) => { throw e; },
        onSuccess: () => { throw new Error('upload finished before the abort'); },
        onChunkComplete: (_, sent) => {
            if (abortedUrl === null && sent >= size / 3) {
                abortedUrl = u.url;
                u.abort().then(resolve);
            }
        },
    });
    u.start();
});
results.resumed = await upload('resumed.bin', { tus: { chunkSize: 128 * 1024, uploadUrl: abortedUrl } });
if (results.resumed !== abortedUrl)
    throw new Error(`resume created a new upload ${results.resumed} instead of continuing ${abortedUrl}`);
console.log(JSON.stringify(results));
