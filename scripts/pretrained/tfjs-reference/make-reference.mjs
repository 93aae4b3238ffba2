// Reference outputs of the PoseNet (MobileNetV1 0.75) TF.js graph model,
// computed by the original TF.js runtime (pure-JS cpu backend).
//
// usage: node make-reference.mjs MODEL_JSON OUT_DIR
//
// Writes, per case, raw little-endian float32 files (NHWC, as TF.js gives them):
//   <case>.input.f32  <case>.heatmap.f32  <case>.conv5.f32  <case>.conv13.f32
// and OUT_DIR/manifest.json describing shapes, node names, versions and hashes.

import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu'); // registers the 'cpu' backend
const tfconv = require('@tensorflow/tfjs-converter');

const versions = {
  'tfjs-core': require('@tensorflow/tfjs-core/package.json').version,
  'tfjs-converter': require('@tensorflow/tfjs-converter/package.json').version,
  'tfjs-backend-cpu': require('@tensorflow/tfjs-backend-cpu/package.json').version,
};

// One configuration per model, chosen by the model file's name.
//   input:   the Placeholder; relax: set its H and W to -1 before loading
//            (PoseNet declares 385x385 but is fully convolutional; CenterNet's
//            upsampling sizes are constants for its declared 512x512, so it
//            runs at that size only).
//   scale/offset: xorshift byte v becomes float32(v * scale + offset).
//   outputs: node, and optionally the channels kept (NHWC last axis, begin +
//            size) to keep the committed files small.
const MODELS = {
  posenet: {
    description: 'PoseNet MobileNetV1 0.75 (TF.js graph model) reference outputs from the TF.js cpu backend',
    input: 'image',
    relax: true,
    scale: 1 / 127.5, offset: -1, mapping: 'float32(v / 127.5 - 1)',
    outputs: [
      { key: 'heatmap', node: 'MobilenetV1/heatmap_2/BiasAdd' },
      { key: 'conv5', node: 'MobilenetV1/MobilenetV1/Conv2d_5_pointwise/Relu6' },
      { key: 'conv13', node: 'MobilenetV1/MobilenetV1/Conv2d_13_pointwise/Relu6' },
    ],
    // Seeds are fixed per case; see makeInput() for the exact generator.
    cases: [
      { name: 'odd', shape: [1, 65, 81, 3], seed: 0x9e3779b9 },
      { name: 'even', shape: [1, 96, 128, 3], seed: 0x2545f491 },
    ],
  },
  centernet: {
    description: 'CenterNet MobileNetV3 (COCO, TF.js graph model) reference outputs from the TF.js cpu backend',
    input: 'tower_0/images',
    relax: false,
    scale: 1, offset: 0, mapping: 'float32(v) (RGB 0..255)',
    outputs: [
      // COCO class 0 (person) logits at stride 4: depends on every layer the
      // counting network uses.
      { key: 'person', node: 'tower_0/CenternetHead/centernet_cls_output/BiasAdd', begin: 0, size: 1 },
      { key: 'head4', node: 'tower_0/CenternetHead/mul', begin: 0, size: 4 },
      { key: 'trunk16', node: 'tower_0/MobilenetV3/expanded_conv_11/add', begin: 0, size: 8 },
    ],
    cases: [{ name: 'declared', shape: [1, 512, 512, 3], seed: 0x9e3779b9 }],
    // 3 MB of float32 bytes; tests regenerate it from the seed (exact: whole numbers).
    writeInput: false,
  },
};

function usage() {
  console.error(`usage: node make-reference.mjs MODEL_JSON OUT_DIR  (MODEL_JSON named ${Object.keys(MODELS).map((m) => m + '.json').join(' or ')})`);
  process.exit(2);
}

function sha256(buf) {
  return createHash('sha256').update(buf).digest('hex');
}

// xorshift32 (Marsaglia, shifts 13/17/5) on uint32 state. Each uint8 value
// is the top byte of the next state: v = (next() >>> 24). The values fill the
// NHWC tensor in row-major order and are mapped to float32 as v * scale + offset
// (the model's MODELS entry: v / 127.5 - 1 for PoseNet, v itself for CenterNet)
// (computed in double, rounded once when stored into the Float32Array).
function makeInput(shape, seed, scale, offset) {
  let s = seed >>> 0;
  if (s === 0) throw new Error('xorshift32 seed must be non-zero');
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    const v = s >>> 24;
    out[i] = scale === 1 && offset === 0 ? v : v * scale + offset;
  }
  return out;
}

function f32Bytes(arr) {
  if (!(arr instanceof Float32Array)) throw new Error('expected Float32Array');
  return Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength);
}

function stats(arr) {
  let min = Infinity, max = -Infinity, sum = 0;
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (!Number.isFinite(v)) throw new Error('non-finite value in output');
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, mean: sum / arr.length };
}

// Read model.json and its weight shards (paths relative to MODEL_JSON), in
// weightsManifest order, concatenated into one ArrayBuffer.
function readArtifacts(modelJsonPath) {
  const jsonBytes = fs.readFileSync(modelJsonPath);
  const model = JSON.parse(jsonBytes.toString('utf8'));
  const dir = path.dirname(modelJsonPath);
  const weightSpecs = [];
  const shards = [];
  const shardInfo = [];
  for (const group of model.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) {
      const bytes = fs.readFileSync(path.join(dir, p));
      shards.push(bytes);
      shardInfo.push({ path: p, bytes: bytes.length, sha256: sha256(bytes) });
    }
  }
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return { model, jsonBytes, weightSpecs, weightData, shardInfo };
}

// The graph declares image:[1,385,385,3] and GraphExecutor asserts exact
// equality of every non -1 dim. Relax H and W of the placeholder (and the
// signature) to -1; every op and weight of the graph is left unchanged.
function relaxInputShape(model, INPUT_NAME, relax) {
  const node = model.modelTopology.node.find((n) => n.name === INPUT_NAME);
  if (!node || node.op !== 'Placeholder') throw new Error(`no Placeholder '${INPUT_NAME}'`);
  const dims = node.attr.shape.shape.dim;
  const declared = dims.map((d) => Number(d.size));
  if (!relax) return { declared, relaxed: declared };
  dims[1].size = '-1';
  dims[2].size = '-1';
  const sig = model.signature?.inputs?.[`${INPUT_NAME}:0`]?.tensorShape?.dim;
  if (sig) { sig[1].size = '-1'; sig[2].size = '-1'; }
  return { declared, relaxed: dims.map((d) => Number(d.size)) };
}

async function main() {
  const [modelJson, outDir] = process.argv.slice(2);
  if (!modelJson || !outDir) usage();
  if (os.endianness() !== 'LE') throw new Error('this script writes host-order float32; host must be little-endian');

  const which = path.basename(modelJson, '.json');
  const cfg = MODELS[which];
  if (!cfg) usage();
  const INPUT_NAME = cfg.input;
  const art = readArtifacts(modelJson);
  const shapeChange = relaxInputShape(art.model, INPUT_NAME, cfg.relax);

  await tf.setBackend('cpu');
  await tf.ready();
  if (tf.getBackend() !== 'cpu') throw new Error(`backend is ${tf.getBackend()}, not cpu`);

  const handler = tf.io.fromMemory({
    modelTopology: art.model.modelTopology,
    weightSpecs: art.weightSpecs,
    weightData: art.weightData,
    format: art.model.format,
    generatedBy: art.model.generatedBy,
    convertedBy: art.model.convertedBy,
    signature: art.model.signature,
  });
  const model = await tfconv.loadGraphModel(handler);

  fs.mkdirSync(outDir, { recursive: true });
  const manifest = {
    description: cfg.description,
    generator: 'scripts/pretrained/tfjs-reference/make-reference.mjs',
    tfjs: versions,
    backend: tf.getBackend(),
    node: process.version,
    model: {
      json: path.basename(modelJson),
      jsonSha256: sha256(art.jsonBytes),
      shards: art.shardInfo,
      inputName: INPUT_NAME,
      declaredInputShape: shapeChange.declared,
      inputShapeRelaxedTo: shapeChange.relaxed,
      note: cfg.relax
        ? 'Placeholder image shape H,W relaxed to -1 in memory before loading so that model.execute accepts other sizes; graph ops and weights unchanged.'
        : 'run at the declared input shape; graph ops and weights unchanged.',
    },
    layout: 'all tensors NHWC, raw little-endian float32, row-major',
    inputGenerator: {
      prng: 'xorshift32: s^=s<<13; s^=s>>>17; s^=s<<5 (uint32); v = s>>>24 after each step',
      mapping: cfg.mapping,
    },
    cases: [],
  };

  for (const c of cfg.cases) {
    const inData = makeInput(c.shape, c.seed, cfg.scale, cfg.offset);
    const inBytes = f32Bytes(inData);
    const inFile = cfg.writeInput === false ? null : `${c.name}.input.f32`;
    if (inFile) fs.writeFileSync(path.join(outDir, inFile), inBytes);
    const entry = {
      name: c.name,
      seed: c.seed,
      input: { name: INPUT_NAME, file: inFile, shape: c.shape, sha256: sha256(inBytes), ...stats(inData) },
      outputs: [],
    };

    const x = tf.tensor4d(inData, c.shape, 'float32');
    const ys = model.execute({ [INPUT_NAME]: x }, cfg.outputs.map((o) => o.node));
    const yl = Array.isArray(ys) ? ys : [ys];
    cfg.outputs.forEach((o, i) => {
      const full = yl[i];
      const y = o.size ? tf.slice(full, [0, 0, 0, o.begin], [-1, -1, -1, o.size]) : full;
      if (y.dtype !== 'float32') throw new Error(`${o.node}: dtype ${y.dtype}`);
      const data = y.dataSync();
      const bytes = f32Bytes(data);
      const file = `${c.name}.${o.key}.f32`;
      fs.writeFileSync(path.join(outDir, file), bytes);
      const st = stats(data);
      const channels = o.size ? { channels: { begin: o.begin, size: o.size, of: full.shape[3] } } : {};
      entry.outputs.push({ key: o.key, node: o.node, ...channels, file, shape: y.shape, sha256: sha256(bytes), ...st });
      if (y !== full) y.dispose();
      console.log(`${c.name} ${o.key.padEnd(7)} ${JSON.stringify(y.shape)} min=${st.min} max=${st.max} mean=${st.mean}`);
    });
    tf.dispose([x, ...yl]);
    manifest.cases.push(entry);
  }

  fs.writeFileSync(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
