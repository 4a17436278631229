"""A genome-wide association study on simulated genotypes, as a Hail job for EMR Serverless.

Three populations of samples are simulated with the Balding-Nichols model, each sample gets a
random phenotype, and every variant is tested with linear regression. The results go to
``<output>/gwas.ht`` (a Hail Table), the 20 strongest hits to ``<output>/top_hits.tsv``, and a few
numbers to ``<output>/_action_result.json``, which the action returns as its ``result`` output.

With the action::

    - uses: hail-emr-serverless/hail-emr-serverless@v1
      with:
        script: examples/gwas.py
        py-files: examples/action_result.py
        output-uri: s3://my-bucket/results/gwas/${{ github.run_id }}
        script-args: |
          --n-variants
          1000000

The action sets ``HAIL_OUTPUT_URI`` (from ``output-uri``) and ``HAIL_TMP_DIR`` (``<s3-prefix>/tmp/``)
in the driver's environment; ``--output`` and ``--tmp-dir`` default to them.

On a machine with Hail installed::

    python examples/gwas.py --output /tmp/gwas --tmp-dir /tmp/hail-tmp --n-variants 10000
"""

import argparse
import os
import sys
import time

from action_result import write_result


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--output",
        default=os.environ.get("HAIL_OUTPUT_URI"),
        help="where to write the results (default: $HAIL_OUTPUT_URI, the action's output-uri)",
    )
    parser.add_argument(
        "--tmp-dir",
        default=os.environ.get("HAIL_TMP_DIR"),
        help="Hail's tmp_dir, an s3:// prefix on EMR Serverless (default: $HAIL_TMP_DIR, <s3-prefix>/tmp/)",
    )
    parser.add_argument("--n-populations", type=int, default=3, help="populations to simulate (default: 3)")
    parser.add_argument("--n-samples", type=int, default=500, help="samples (default: 500)")
    parser.add_argument("--n-variants", type=int, default=100_000, help="variants (default: 100,000)")
    parser.add_argument(
        "--n-partitions",
        type=int,
        default=None,
        help="partitions of the simulated dataset (default: one per 5,000 variants, at least 8)",
    )
    parser.add_argument("--significance", type=float, default=5e-8, help="p-value threshold (default: 5e-8)")
    parser.add_argument("--seed", type=int, default=42, help="global random seed (default: 42)")
    args = parser.parse_args(argv)

    if not args.output:
        parser.error("--output is required (or set output-uri in the workflow)")
    if not args.tmp_dir:
        parser.error("--tmp-dir is required (the action sets HAIL_TMP_DIR on EMR Serverless)")
    for name in ("output", "tmp_dir"):
        if getattr(args, name).startswith(("s3a://", "s3n://")):
            parser.error(f"--{name.replace('_', '-')}: use s3:// (EMRFS), not s3a:// or s3n://")
    if args.output.startswith("s3://") and not args.tmp_dir.startswith("s3://"):
        parser.error("--tmp-dir must be an s3:// prefix when the output is on S3: a local tmp dir is invisible to other nodes")
    for name in ("n_populations", "n_samples", "n_variants"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.n_partitions is None:
        args.n_partitions = max(8, args.n_variants // 5_000)
    return args


def main(argv=None):
    args = parse_args(argv)
    started = time.time()

    import hail as hl  # imported here so that --help works without Hail

    hl.init(default_reference="GRCh38", tmp_dir=args.tmp_dir, quiet=True, global_seed=args.seed)
    print(
        f"Hail {hl.version()}: {args.n_populations} populations, {args.n_samples} samples, "
        f"{args.n_variants} variants in {args.n_partitions} partitions -> {args.output}",
        flush=True,
    )

    mt = hl.balding_nichols_model(args.n_populations, args.n_samples, args.n_variants, n_partitions=args.n_partitions)
    mt = mt.annotate_cols(phenotype=hl.rand_norm(0, 1))
    gwas = hl.linear_regression_rows(y=mt.phenotype, x=mt.GT.n_alt_alleles(), covariates=[1.0])

    table_uri = f"{args.output.rstrip('/')}/gwas.ht"
    gwas.write(table_uri, overwrite=True)
    gwas = hl.read_table(table_uri)  # later work reads the written table, not the whole pipeline again

    stats = gwas.aggregate(
        hl.struct(
            n_variants=hl.agg.count(),
            n_tested=hl.agg.count_where(hl.is_defined(gwas.p_value)),
            n_significant=hl.agg.count_where(gwas.p_value < args.significance),
            min_p_value=hl.agg.min(gwas.p_value),
        )
    )
    top = gwas.order_by(gwas.p_value).head(20)  # unkeyed: locus and alleles are plain fields now
    top.select("locus", "alleles", "beta", "standard_error", "p_value").export(f"{args.output.rstrip('/')}/top_hits.tsv")

    result = {
        "hail_version": hl.version(),
        "n_samples": args.n_samples,
        "n_variants": stats.n_variants,
        "n_tested": stats.n_tested,
        "n_significant": stats.n_significant,
        "min_p_value": stats.min_p_value,
        "significance": args.significance,
        "seconds": round(time.time() - started, 1),
    }
    where = write_result(args.output, result)
    print(f"{stats.n_significant} of {stats.n_tested} variants below p = {args.significance:g}; result in {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
