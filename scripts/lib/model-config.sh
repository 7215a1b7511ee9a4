# Sourced by the bench scripts (which set $root). model_config MODEL sets $config and $model from what the
# user named: googlenet (the default) or inception_v3, torchvision's names, or a config file. $config is
# relative to $root when the file is in this repository (so an @<commit> worktree reads its own version),
# absolute otherwise; $model names the output files.
model_config() {
  model="$1"
  case "$model" in
    *.yaml) config="$(realpath "$model")"; config="${config#"$root"/}"; model="$(basename "$model" .yaml)" ;;
    inception_v3) config=configs/models/inception-v3.yaml ;;
    *) config=configs/models/inception-v1.yaml ;;
  esac
}
