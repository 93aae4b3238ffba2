// rankvision info: a model bundle's metadata as pretty JSON.
#include <filesystem>
#include <iostream>

#include "args.h"
#include "bundle/bundle.h"
#include "commands.h"
#include "common/error.h"
#include "train_flags.h"

namespace rv::cli {

namespace {

// The model --out starts from: --peaks-from's detector, or the one model given.
ModelBundle source_bundle(const Args& a, const std::vector<std::string>& files, bool upgrade) {
  if (a.has("peaks-from")) {
    if (!files.empty() || a.has("blend")) throw InputError("info --peaks-from: give no other model (nor --blend)");
    NetSpec spec;
    spec.task = Task::Count;
    spec.arch = "centernet_peaks";
    spec.width = default_width(spec.arch);
    set_arch_normalisation(spec);
    ModelBundle b = make_bundle_from_graph(spec, a.str("peaks-from"), std::cerr);
    b.meta.provenance["made"] = "rankvision info --peaks-from " + a.str("peaks-from");
    return b;
  }
  if (files.size() != 1) throw InputError("info --out: give exactly one model");
  return load_bundle(files[0], std::nullopt, upgrade ? LegacyFormat::Accept : LegacyFormat::Refuse);
}

}  // namespace

int cmd_info(int argc, char** argv) {
  Args a("info",
         "Print a model bundle's metadata (JSON). Without a file: the installed default models.\n"
         "With --set-input-scale X --out NEW: write a copy whose engines run at input scale X.\n"
         "With --upgrade --out NEW: rewrite a format-1 bundle (no checksum) in the current format;\n"
         "only for a file you trust: LibTorch does not check the weights it reads.\n"
         "With --peaks-from GRAPH --out NEW: a counting model that counts the person peaks of CenterNet's\n"
         "detector (models/pretrained/centernet/centernet.json; architecture centernet_peaks), for sparse\n"
         "scenes; `rankvision adapt --iterations 0 --frame-counts CSV` fits its thresholds to a camera.",
         {{"model", "FILE", "model bundle (or give it as the argument)"},
          {"set-input-scale", "X", "the input scale the copy stores (frames are resized by X first)"},
          {"scale-counts", "X", "the copy's counts are X times the original's (calibration)"},
          {"upgrade", "", "with --out: read a format-1 bundle (no checksum) and write it in the current format"},
          {"blend", "FILE", "weight averaging: the copy's weights are (1-T)·MODEL + T·FILE (same architecture, "
                            "fine-tuned from the same start; FILE's density scale is set to MODEL's first, "
                            "so calibrate the copy); applied before the other changes"},
          {"blend-weight", "T", "T of --blend, 0..1 (default 0.5)"},
          {"blend-from-conv", "N", "layer-wise --blend: the trunk's first N convolutions (counted as --freeze-trunk "
                                   "counts) keep MODEL's weights; the later ones and the head are blended (default 0)"},
          {"peaks-from", "GRAPH", "write a peak-counting model (centernet_peaks) made from CenterNet's model.json"},
          {"out", "FILE", "where --set-input-scale / --scale-counts / --upgrade / --blend / --peaks-from write the copy"}});
  if (!a.parse(argc, argv)) return 0;
  std::vector<std::string> files = a.positional();
  if (a.has("model")) files.push_back(a.str("model"));
  const bool upgrade = a.flag("upgrade");
  if (a.has("blend-weight") && !a.has("blend")) throw InputError("info: --blend-weight needs --blend FILE");
  if (a.has("blend-from-conv") && !a.has("blend")) throw InputError("info: --blend-from-conv needs --blend FILE");
  const bool peaks = a.has("peaks-from");
  if (a.has("set-input-scale") || a.has("scale-counts") || upgrade || a.has("blend") || peaks || a.has("out")) {
    if (!a.has("out")) throw InputError("info: --set-input-scale / --scale-counts / --upgrade / --blend / --peaks-from need --out FILE");
    if (!a.has("set-input-scale") && !a.has("scale-counts") && !upgrade && !a.has("blend") && !peaks) {
      throw InputError("info --out: nothing to change");
    }
    const std::string out = a.str("out");
    check_output_path(out, "--out");
    ModelBundle b = source_bundle(a, files, upgrade);
    nlohmann::json changed = nlohmann::json::object();
    if (peaks) changed["peaks_from"] = a.str("peaks-from");
    if (upgrade) changed["format"] = {{"from", b.meta.format_version}, {"to", 2}};
    if (a.has("blend")) {
      const std::string other = a.str("blend");
      const double t = a.real("blend-weight", 0.5, 0.0, 1.0);
      const int from_conv = static_cast<int>(a.integer("blend-from-conv", 0, 0, 100000));
      ModelBundle with = load_bundle(other);
      changed["blend"] = {{"with", other}, {"weight", t}};
      const double match = density_scale_match(b, with);
      if (match != 1.0) {
        // Its weights are kept and its density scale set to MODEL's, so its counts change by `match`.
        scale_bundle_counts(with, match);
        changed["blend"]["density_scale_matched"] = match;
        std::cerr << "note: --blend " << other << ": its density scale is set to " << files[0]
                  << "'s (its counts x" << match << "); calibrate the blend with --scale-counts before use\n";
      }
      ModelBundle blended = blend_bundles(b, with, t, from_conv);
      if (from_conv > 0) changed["blend"]["from_conv"] = from_conv;
      // The copy keeps the first model's provenance and records the second's.
      blended.meta.provenance["blended"] = changed["blend"];
      blended.meta.provenance["blended"]["from"] = files[0];
      blended.meta.provenance["blended"]["with_provenance"] = with.meta.provenance;
      b = std::move(blended);
    }
    if (a.has("set-input-scale")) {
      const double scale = a.real("set-input-scale", 1.0, 0.05, 8.0);
      b.meta.provenance["input_scale_set"] = {{"from", b.meta.input_scale}, {"to", scale}};
      b.meta.input_scale = scale;
      changed["input_scale"] = scale;
    }
    if (a.has("scale-counts")) {
      if (b.meta.spec.task != Task::Count) throw InputError("info --scale-counts: " + files[0] + " is not a counting model");
      const double k = a.real("scale-counts", 1.0, 1e-3, 1e3);
      scale_bundle_counts(b, k);
      b.meta.provenance["counts_scaled"] = {{"factor", k}, {"density_scale", b.meta.spec.density_scale}};
      changed["count_factor"] = k;
    }
    save_bundle(out, b);
    changed["out"] = out;
    std::cout << changed.dump() << std::endl;
    return 0;
  }
  if (files.empty()) {
    for (Task t : {Task::Count, Task::Quality}) {
      const std::string p = default_model_path(t);
      std::cout << to_string(t) << ": " << (p.empty() ? "(no default model installed)" : p) << "\n";
    }
    return 0;
  }
  for (const auto& f : files) {
    const BundleMeta meta = read_bundle_meta(f);
    nlohmann::json out = {{"path", f}, {"bytes", std::filesystem::file_size(f)}, {"meta", meta.to_json()}};
    if (out["meta"].contains("graph")) {  // the trunk's topology: a summary, not hundreds of nodes
      const auto& g = out["meta"]["graph"];
      nlohmann::json outputs = nlohmann::json::array();
      for (const auto& i : g.value("outputs", nlohmann::json::array())) outputs.push_back(g["nodes"].at(i.get<size_t>()).value("name", ""));
      out["meta"]["graph"] = {{"input", g.value("input", "")}, {"nodes", g.value("nodes", nlohmann::json::array()).size()}, {"outputs", outputs}};
    }
    if (meta.format_version > 0) out["format"] = meta.format_version;
    std::cout << out.dump(2) << std::endl;
  }
  return 0;
}

}  // namespace rv::cli
