# Sourced (not run) by examples/adapt_mall.sh: the adaptation recipe of
# models/examples/mall-adapted.rvm. Needs $data (the RANKVISION_DATA folder).
frames=$data/mall/frames
base=models/crowdcount-default.rvm
labels=examples/mall-frame-counts.csv
mall_iterations=200
# Frames 0-799 (files seq_000001-000800) only; later frames and Mall labels are never used.
mall_adapt_flags=(--model "$base" --video "$frames" --frames 0:800 --frame-counts "$labels"
  --median-count 1 --shanghaitech "$data/shanghaitech/part_B/train_data"
  --scales 0.75,1,1.25 --input-size 224 --batch 4 --frame-batch 2 --rank-sets 2
  --lambda 1 --frame-weight 1 --lr 1e-4 --seed 1)
