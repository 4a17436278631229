// Makes a large, realistic EMR Serverless driver stderr log (Spark log4j INFO lines, an occasional
// WARN with a Java stack trace, then a Hail/PySpark traceback near the end followed by Spark's
// shutdown lines), gzipped like the service stores it. Generated once and cached under the OS temp
// dir (the name carries the generator version and size), since gzip at level 6 is the slow part.
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

const VERSION = 1;
export const CACHE_DIR = join(tmpdir(), 'hes-bench-cache');

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** log4j's default EMR pattern: "yy/MM/dd HH:mm:ss LEVEL Class: message". */
function stamp(sec) {
  const d = new Date(Date.UTC(2026, 10, 24, 9, 0, 0) + sec * 1000);
  return `${pad(d.getUTCFullYear() % 100)}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

const host = (i) => `ip-10-0-${(i >> 4) & 15}-${(i * 37) % 250}.ec2.internal`;

/** About 1 MiB of driver log for one "stage": task start/finish lines and block-manager chatter. */
function stageBlock(stage, firstSec) {
  const lines = [];
  const parts = 300;
  let sec = firstSec;
  let tid = stage * 4000;
  const ts = () => stamp(Math.floor(sec));
  lines.push(
    `${ts()} INFO DAGScheduler: Got job ${stage} (collect at SparkHadoopWriter.scala:83) with ${parts} output partitions`,
  );
  lines.push(
    `${ts()} INFO DAGScheduler: Final stage: ResultStage ${stage} (collect at SparkHadoopWriter.scala:83)`,
  );
  lines.push(
    `${ts()} INFO DAGScheduler: Submitting ${parts} missing tasks from ResultStage ${stage} (MapPartitionsRDD[${stage * 3 + 1}] at mapPartitions at ContextRDD.scala:61) (first 15 tasks are for partitions Vector(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14))`,
  );
  lines.push(
    `${ts()} INFO MemoryStore: Block broadcast_${stage} stored as values in memory (estimated size ${(40 + (stage % 9)).toFixed(1)} KiB, free 7.8 GiB)`,
  );
  for (let round = 0; round < 3; round++) {
    for (let p = 0; p < parts; p++, tid++) {
      const ex = 1 + ((p * 7 + round) % 24);
      sec += 0.05;
      lines.push(
        `${ts()} INFO TaskSetManager: Starting task ${p}.${round} in stage ${stage}.0 (TID ${tid}) (${host(ex)}, executor ${ex}, partition ${p}, PROCESS_LOCAL, ${7900 + ((p * 13) % 400)} bytes) taskResourceAssignments Map()`,
      );
      lines.push(
        `${ts()} INFO BlockManagerInfo: Added broadcast_${stage}_piece0 in memory on ${host(ex)}:${35000 + ex} (size: ${(12 + (p % 7) / 10).toFixed(1)} KiB, free: ${(7.9 - (p % 5) / 10).toFixed(1)} GiB)`,
      );
      lines.push(
        `${ts()} INFO TaskSetManager: Finished task ${p}.${round} in stage ${stage}.0 (TID ${tid}) in ${200 + ((p * 31 + stage) % 900)} ms on ${host(ex)} (executor ${ex}) (${p + 1}/${parts})`,
      );
      if (p % 50 === 49) {
        lines.push(
          `${ts()} INFO ExecutorAllocationManager: Requesting ${1 + (p % 4)} new executors because tasks are backlogged (new desired total will be ${24 + (p % 8)} for resource profile id: 0)`,
        );
      }
    }
  }
  // A retried task failure: a WARN with a Java stack trace (harmless, but the scanner must look at it).
  lines.push(
    `${ts()} WARN TaskSetManager: Lost task 57.0 in stage ${stage}.0 (TID ${tid + 1}) (${host(7)} executor 7): java.io.IOException: Connection reset by peer`,
  );
  for (const f of [
    'sun.nio.ch.FileDispatcherImpl.read0(Native Method)',
    'sun.nio.ch.SocketDispatcher.read(SocketDispatcher.java:39)',
    'sun.nio.ch.IOUtil.readIntoNativeBuffer(IOUtil.java:223)',
    'sun.nio.ch.IOUtil.read(IOUtil.java:192)',
    'org.apache.spark.network.util.TransportFrameDecoder.channelRead(TransportFrameDecoder.java:87)',
    'io.netty.channel.AbstractChannelHandlerContext.invokeChannelRead(AbstractChannelHandlerContext.java:444)',
    'java.base/java.lang.Thread.run(Thread.java:840)',
  ])
    lines.push(`\tat ${f}`);
  lines.push(
    `${ts()} INFO DAGScheduler: ResultStage ${stage} (collect at SparkHadoopWriter.scala:83) finished in ${(sec - firstSec).toFixed(3)} s`,
  );
  lines.push(
    `${ts()} INFO DAGScheduler: Job ${stage} finished: collect at SparkHadoopWriter.scala:83, took ${(sec - firstSec + 0.4).toFixed(6)} s`,
  );
  return { text: lines.join('\n') + '\n', endSec: sec };
}

function failureAndShutdown(sec, job) {
  const ts = stamp(Math.floor(sec));
  const env = '/home/hadoop/environment/lib/python3.10/site-packages/hail';
  const lines = [
    `${ts} INFO DAGScheduler: Job ${job} failed: collect at SparkHadoopWriter.scala:83, took 12.402117 s`,
    'Traceback (most recent call last):',
    '  File "/tmp/spark-5b1e7a43-0c1d-4f0e-9a59-2b8fd2b1c0de/gwas.py", line 57, in <module>',
    '    main()',
    '  File "/tmp/spark-5b1e7a43-0c1d-4f0e-9a59-2b8fd2b1c0de/gwas.py", line 49, in main',
    '    gwas = hl.linear_regression_rows(y=mt.pheno, x=mt.GT.n_alt_alleles(), covariates=[1.0])',
    `  File "${env}/methods/statgen.py", line 411, in linear_regression_rows`,
    '    ht_result = ht_result._persist()',
    `  File "${env}/table.py", line 2095, in _persist`,
    '    return Env.backend().persist(self)',
    `  File "${env}/backend/py4j_backend.py", line 232, in _rpc`,
    '    raise fatal_error_from_java_error_triplet(error_json["short"], error_json["expanded"], error_json["error_id"]) from None',
    'hail.utils.java.FatalError: HailException: linear_regression_rows: found 0 samples with a non-missing phenotype',
    '',
    'Java stack trace:',
    'is.hail.utils.HailException: linear_regression_rows: found 0 samples with a non-missing phenotype',
    '\tat is.hail.utils.ErrorHandling.fatal(ErrorHandling.scala:17)',
    '\tat is.hail.utils.ErrorHandling.fatal$(ErrorHandling.scala:17)',
    '\tat is.hail.utils.package$.fatal(package.scala:78)',
    '\tat is.hail.methods.LinearRegressionRowsSingle.execute(LinearRegression.scala:42)',
    '',
    'Hail version: 0.2.134-952ae203dbbe',
    'Error summary: HailException: linear_regression_rows: found 0 samples with a non-missing phenotype',
  ];
  for (let i = 0; i < 150; i++) {
    const t = stamp(Math.floor(sec + 1 + i / 50));
    const msgs = [
      `${t} INFO SparkContext: Invoked stop() from shutdown hook`,
      `${t} INFO SparkUI: Stopped Spark web UI at http://[2600:1f18::${i.toString(16)}]:4040`,
      `${t} INFO ExecutorAllocationManager: Removing executor ${1 + (i % 24)} because it has been idle for 60 seconds`,
      `${t} INFO BlockManagerMaster: Removed ${1 + (i % 24)} successfully in removeExecutor`,
      `${t} INFO ShutdownHookManager: Deleting directory /tmp/spark-${(1000 + i).toString(16)}-${i % 7}`,
    ];
    lines.push(msgs[i % msgs.length]);
  }
  lines.push(`${stamp(Math.floor(sec + 5))} INFO ShutdownHookManager: Shutdown hook called`);
  return lines.join('\n') + '\n';
}

/**
 * Returns { file, uncompressedBytes, compressedBytes, cached } for a gzipped log of about
 * `targetBytes` uncompressed (default 1 GiB).
 */
export async function ensureDriverLog(targetBytes = 2 ** 30) {
  mkdirSync(CACHE_DIR, { recursive: true });
  const file = join(CACHE_DIR, `driver-stderr-v${VERSION}-${targetBytes}.log.gz`);
  const sizeFile = `${file}.bytes`;
  if (existsSync(file) && existsSync(sizeFile)) {
    const { readFileSync } = await import('node:fs');
    return {
      file,
      uncompressedBytes: Number(readFileSync(sizeFile, 'utf8')),
      compressedBytes: statSync(file).size,
      cached: true,
    };
  }
  let written = 0;
  function* chunks() {
    let stage = 1;
    let sec = 0;
    const tailText = failureAndShutdown(0, 0);
    const room = targetBytes - Buffer.byteLength(tailText);
    while (written < room) {
      const { text, endSec } = stageBlock(stage++, sec);
      sec = endSec + 2;
      let buf = Buffer.from(text, 'utf8');
      if (written + buf.length > room) {
        // Cut the last block at a line end so the total lands near the target.
        const cut = buf.lastIndexOf(0x0a, room - written - 1);
        buf = buf.subarray(0, cut + 1);
        if (buf.length === 0) break;
      }
      written += buf.length;
      yield buf;
    }
    const tail = Buffer.from(failureAndShutdown(sec, stage), 'utf8');
    written += tail.length;
    yield tail;
  }
  const tmp = `${file}.tmp${process.pid}`;
  await pipeline(Readable.from(chunks()), createGzip({ level: 6 }), createWriteStream(tmp));
  renameSync(tmp, file);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(sizeFile, String(written));
  return { file, uncompressedBytes: written, compressedBytes: statSync(file).size, cached: false };
}
