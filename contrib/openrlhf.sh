#!/bin/sh
# OpenRLHF with reval as its remote reward model: rule-based R1 rewards
# (docs/rewards.md) from `reval serve`, which answers /get_reward in OpenRLHF's
# shape.  The dataset's label column holds the gold answer (for --grader code,
# the tests' record as JSON text).  Adjust the model, data and GPU flags.
set -eu
reval serve --listen 127.0.0.1:5000 --grader math &
REVAL=$!
trap 'kill -TERM $REVAL' EXIT
until curl -sf http://127.0.0.1:5000/health >/dev/null; do sleep 0.2; done

python3 -m openrlhf.cli.train_ppo_ray \
    --pretrain Qwen/Qwen2.5-Math-1.5B \
    --remote_rm_url http://127.0.0.1:5000/get_reward \
    --prompt_data your/math-dataset --input_key question --label_key answer \
    --apply_chat_template --advantage_estimator group_norm --n_samples_per_prompt 8 \
    --micro_train_batch_size 4 --train_batch_size 128 \
    --micro_rollout_batch_size 16 --rollout_batch_size 128 \
    --max_epochs 1 --prompt_max_len 1024 --generate_max_len 4096 \
    --actor_learning_rate 1e-6 --init_kl_coef 0.0 --zero_stage 2 --bf16 \
    --save_path ./ckpt/reval-r1
