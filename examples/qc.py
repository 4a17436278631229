"""Sample and variant quality control, as a Hail job for EMR Serverless.

Reads a VCF (``--vcf s3://.../cohort.vcf.bgz``) or, without one, simulates a dataset with the
Balding-Nichols model; runs ``hl.sample_qc`` and ``hl.variant_qc``; applies call-rate, minor
allele frequency and Hardy-Weinberg filters; and writes under ``<output>``:

- ``sample_qc.tsv``: per-sample metrics and whether the sample passed,
- ``variant_qc_summary.tsv``: how many variants each filter removed,
- ``qc_pass.mt`` (with ``--write-filtered``): the dataset after filtering,
- ``_action_result.json``: the counts, returned by the action as its ``result`` output.

With the action::

    - uses: hail-emr-serverless/hail-emr-serverless@v1
      with:
        script: examples/qc.py
        py-files: examples/action_result.py
        output-uri: s3://my-bucket/results/qc/${{ github.run_id }}
        script-args: |
          --vcf
          s3://my-bucket/data/cohort.vcf.bgz
"""

import argparse
import os
import sys

from action_result import write_result


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", default=os.environ.get("HAIL_OUTPUT_URI"), help="default: $HAIL_OUTPUT_URI")
    parser.add_argument("--tmp-dir", default=os.environ.get("HAIL_TMP_DIR"), help="default: $HAIL_TMP_DIR")
    parser.add_argument("--vcf", help="VCF to check (s3:// on EMR Serverless); simulated data when absent")
    parser.add_argument("--reference", default="GRCh38", help="reference genome of the VCF (default: GRCh38)")
    parser.add_argument("--force-bgz", action="store_true", help="read a .gz VCF as block-gzipped")
    parser.add_argument("--n-samples", type=int, default=500, help="simulated samples (default: 500)")
    parser.add_argument("--n-variants", type=int, default=50_000, help="simulated variants (default: 50,000)")
    parser.add_argument("--min-sample-call-rate", type=float, default=0.97, help="default: 0.97")
    parser.add_argument("--min-variant-call-rate", type=float, default=0.95, help="default: 0.95")
    parser.add_argument("--min-maf", type=float, default=0.01, help="minimum minor allele frequency (default: 0.01)")
    parser.add_argument("--min-hwe-p", type=float, default=1e-6, help="Hardy-Weinberg p-value floor (default: 1e-6)")
    parser.add_argument("--write-filtered", action="store_true", help="also write <output>/qc_pass.mt")
    parser.add_argument("--seed", type=int, default=7, help="global random seed (default: 7)")
    args = parser.parse_args(argv)
    if not args.output:
        parser.error("--output is required (or set output-uri in the workflow)")
    if not args.tmp_dir:
        parser.error("--tmp-dir is required (the action sets HAIL_TMP_DIR on EMR Serverless)")
    for name in ("min_sample_call_rate", "min_variant_call_rate", "min_maf"):
        if not 0 <= getattr(args, name) <= 1:
            parser.error(f"--{name.replace('_', '-')} must be between 0 and 1")
    return args


def load(hl, args):
    if args.vcf:
        return hl.import_vcf(args.vcf, reference_genome=args.reference, force_bgz=args.force_bgz)
    mt = hl.balding_nichols_model(3, args.n_samples, args.n_variants, n_partitions=max(8, args.n_variants // 5_000))
    # Knock out a few calls so the call-rate filters have something to do.
    return mt.annotate_entries(GT=hl.or_missing(hl.rand_bool(0.99), mt.GT))


def main(argv=None):
    args = parse_args(argv)
    import hail as hl  # imported here so that --help works without Hail

    hl.init(default_reference=args.reference, tmp_dir=args.tmp_dir, quiet=True, global_seed=args.seed)
    out = args.output.rstrip("/")

    mt = hl.sample_qc(load(hl, args))
    mt = mt.annotate_cols(qc_pass=mt.sample_qc.call_rate >= args.min_sample_call_rate)
    cols = mt.cols()
    cols.select(
        "qc_pass",
        call_rate=cols.sample_qc.call_rate,
        n_called=cols.sample_qc.n_called,
        r_het_hom_var=cols.sample_qc.r_het_hom_var,
    ).export(f"{out}/sample_qc.tsv")
    n_samples, n_samples_pass = mt.aggregate_cols((hl.agg.count(), hl.agg.count_where(mt.qc_pass)))

    # Variant QC on the samples that passed, so bad samples do not drag variants down.
    mt = hl.variant_qc(mt.filter_cols(mt.qc_pass))
    vqc = mt.variant_qc
    maf = hl.min(vqc.AF)
    checks = {
        "call_rate": vqc.call_rate >= args.min_variant_call_rate,
        "maf": maf >= args.min_maf,
        "hwe": vqc.p_value_hwe >= args.min_hwe_p,
    }
    mt = mt.annotate_rows(**{f"pass_{k}": hl.coalesce(v, False) for k, v in checks.items()})
    all_pass = hl.all([mt[f"pass_{k}"] for k in checks])
    counts = mt.aggregate_rows(
        hl.struct(
            n_variants=hl.agg.count(),
            n_pass=hl.agg.count_where(all_pass),
            **{f"n_fail_{k}": hl.agg.count_where(~mt[f"pass_{k}"]) for k in checks},
        )
    )
    with hl.hadoop_open(f"{out}/variant_qc_summary.tsv", "w") as f:
        f.write("filter\tthreshold\tvariants_failing\n")
        thresholds = {"call_rate": args.min_variant_call_rate, "maf": args.min_maf, "hwe": args.min_hwe_p}
        for k in checks:
            f.write(f"{k}\t{thresholds[k]:g}\t{counts[f'n_fail_{k}']}\n")

    if args.write_filtered:
        mt.filter_rows(all_pass).write(f"{out}/qc_pass.mt", overwrite=True)

    result = {
        "source": args.vcf or "balding_nichols_model",
        "n_samples": n_samples,
        "n_samples_pass": n_samples_pass,
        "n_variants": counts.n_variants,
        "n_variants_pass": counts.n_pass,
        **{f"n_variants_fail_{k}": counts[f"n_fail_{k}"] for k in checks},
    }
    write_result(args.output, result)
    print(
        f"samples: {n_samples_pass}/{n_samples} pass; variants: {counts.n_pass}/{counts.n_variants} pass",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
