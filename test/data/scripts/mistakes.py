"""A Hail job with the mistakes the pre-submit checks catch, one or more per line.

Prose in a docstring is not code: gs://not-a-finding/in/docs.ht
"""
import os

import hail as hl
from pyspark import SparkConf

# Comments are not code either: hl.read_table("gs://not-a-finding/comment.ht")
conf = SparkConf().set("spark.serializer", "org.apache.spark.serializer.JavaSerializer")
hl.init(
    default_reference="GRCh38",
    tmp_dir="/tmp/hail",
    spark_conf={"spark.driver.extraClassPath": "/opt/hail/hail-all-spark.jar"},
)
out = os.environ["HAIL_OUTPUT_URI"]
tmp = os.getenv("HAIL_TMP_DIR", "/tmp")
scratch = os.environ.get("HAIL_TMPDIR")
log_path = "$HAIL_OUTPUT_URI/log.txt"
mt = hl.read_matrix_table("gs://my-lab-cohorts/exomes.mt")
ht = hl.read_table("gs://gcp-public-data--gnomad/release/4.1/ht/exomes/gnomad.exomes.v4.1.sites.ht")
sites = hl.import_vcf("s3a://hail-ci-data/sites.vcf.bgz")
old = hl.read_table("hdfs:///user/hadoop/old.ht")


def main():
    conf.set("spark.kryo.registrator", "my.Registrator")
    conf.setMaster("local[4]")
    hl.init(master="local[*]", tmp_dir=os.environ["HAIL_TMP_DIR"])
    conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")  # Hail's own: fine
