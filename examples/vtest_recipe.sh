# Sourced (not run) by examples/adapt_vtest.sh and examples/vtest_holdout.sh: the
# adaptation recipe of models/examples/vtest-adapted.rvm, so the hold-out
# experiment tests exactly what ships. Needs $data (the RANKVISION_DATA folder).
# Labels, iterations, frame weight and input scale are passed by the caller;
# the shipped values are the vtest_* defaults below.
video=/usr/share/doc/opencv-doc/examples/data/vtest.avi
base=models/crowdcount-default.rvm
vtest_iterations=150
vtest_frame_weight=10
vtest_scales=0.3,0.375,0.45
# Frames 0-399 only; frames 400-794 are never used.
vtest_adapt_flags=(--model "$base" --video "$video" --frames 0:400
  --shanghaitech "$data/shanghaitech/part_B/train_data"
  --input-size 128 --batch 4 --frame-batch 2 --rank-sets 2 --lambda 10 --lr 1e-4 --seed 1)
