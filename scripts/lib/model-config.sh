# Sourced by the bench scripts (which set $root). model_config MODEL sets $config and $model from what the
# user named: googlenet (the paper's, configs/models/inception-v1.yaml) or inception_v3, torchvision's names;
# a model of configs/models by its file name (googlenet-torchvision, inception-v4, ...); or a config file.
# Anything else is an error (it used to fall back to GoogLeNet silently). $config is
# relative to $root when the file is in this repository (so an @<commit> worktree reads its own version),
# absolute otherwise; $model names the output files.
model_config() {
  model="$1"
  case "$model" in
    *.yaml) config="$(realpath "$model")"; config="${config#"$root"/}"; model="$(basename "$model" .yaml)" ;;
    inception_v3) config=configs/models/inception-v3.yaml ;;
    googlenet) config=configs/models/inception-v1.yaml ;;
    *) if [ -f "$root/configs/models/$model.yaml" ]; then config="configs/models/$model.yaml"
       else echo "unknown model '$model': expected googlenet, inception_v3, a name from configs/models ($(cd "$root/configs/models" && ls *.yaml | sed 's/\.yaml$//' | paste -sd ' ')) or a .yaml file" >&2; return 2; fi ;;
  esac
}
