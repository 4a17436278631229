"""A stand-in for a Hail GWAS that runs with plain python3, for the local stack (`npm run demo`).

The local EMR Serverless server runs entry points with python3 and no Spark, so this script does
what the real job's outputs look like without Hail: a `.ht`-shaped directory, a TSV and the
`_action_result.json` the action turns into its `result` output. `--fail` ends it the way a
failing Hail job does, with a Python traceback.
"""
import argparse
import json
import os
import random
import sys

import boto3


def write(s3, uri, body):
    bucket, _, key = uri[len("s3://"):].partition("/")
    s3.put_object(Bucket=bucket, Key=key, Body=body)


def association_test(n_variants, seed):
    rng = random.Random(seed)
    return [(f"chr1:{1000 + i}", rng.random() ** 3) for i in range(n_variants)]


def check_phenotype(name):
    if name != "height":
        raise ValueError(f"phenotype {name!r} is not in the table (expected 'height')")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", default=os.environ.get("HAIL_OUTPUT_URI"))
    parser.add_argument("--n-variants", type=int, default=1000)
    parser.add_argument("--fail", action="store_true")
    args = parser.parse_args()
    print(f"simulated GWAS: {args.n_variants} variants, tmp dir {os.environ.get('HAIL_TMP_DIR')}")
    check_phenotype("bmi" if args.fail else "height")

    results = association_test(args.n_variants, seed=42)
    s3 = boto3.client("s3")
    for part in range(4):
        rows = results[part::4]
        write(s3, f"{args.output}/gwas.ht/rows/parts/part-{part:05d}", "\n".join(f"{v}\t{p}" for v, p in rows))
    write(s3, f"{args.output}/gwas.ht/_SUCCESS", "")
    hits = sorted(results, key=lambda r: r[1])[:10]
    write(s3, f"{args.output}/top_hits.tsv", "variant\tp\n" + "\n".join(f"{v}\t{p:.3g}" for v, p in hits))
    summary = {"n_variants": args.n_variants, "min_p": hits[0][1], "n_significant": sum(p < 5e-8 for _, p in results)}
    write(s3, f"{args.output}/_action_result.json", json.dumps(summary))
    print(json.dumps(summary))
    print("done", file=sys.stderr)


if __name__ == "__main__":
    main()
