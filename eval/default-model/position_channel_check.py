"""Does a decoder pan by the latent position channel (session 40, models/training/position_channel.py)?

  python eval/default-model/position_channel_check.py --vae /work/checkpoints/vae40_dec/step0000600.pt \
      --reference /work/checkpoints/restored39/vae.pt --position-channel 9:1.0:0.05

Encodes with the reference checkpoint's encoder (the shipped one, which erases position), replaces the channel by the
source's L/R energy difference as `encode_latents --position-channel` does for the training latents, decodes the
posterior mean with the --vae checkpoint's decoder, and reports what `vae_family_check.py`'s "stereo" entry does
(the same 84 eval clips, 2 per family, and the same reading, `measures.stereo_kept`: of the clips panned by more than
3 dB, the share whose decoded balance leans to the same side by > 1 dB against the decodes' median balance; the
correlation of source and decoded balance) plus white noise panned +12 / 0 / −12 dB, and the level of the decoded digital silence (1.5 s of zeros:
10 log10 of the mean square over both channels; session 40 found the decoder taught to pan raised it), with its mean
per channel (session 41: that raised floor is a DC offset, opposite in L and R). With
--no-replace the channel is left as the encoder gives it (what the shipped VAE does). This measures the decoder
alone; `vae_family_check.py --vae` measures a whole VAE.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measures import first_clips_per_family, lr_balance_db, stereo_kept  # balance: 10 log10(E_L / E_R), + = left
from models.training.common import load_clip, read_meta
from models.training.encode_latents import load_vae, posterior
from models.training.position_channel import PositionChannel


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vae", required=True, help="train_vae checkpoint whose decoder is judged")
    ap.add_argument("--reference", required=True, help="train_vae checkpoint whose encoder makes the latents")
    ap.add_argument("--position-channel", default="9:1.0:0.05", metavar="C:GAIN:STDEV")
    ap.add_argument("--no-replace", action="store_true", help="keep the encoder's channel (the shipped VAE's case)")
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--per-family", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    try:
        channel = PositionChannel.parse(a.position_channel)
    except ValueError as error:
        ap.error(str(error))
    torch.set_num_threads(a.threads)
    encoder, _ = load_vae(a.reference, "cpu")
    decoder, state = load_vae(a.vae, "cpu")
    ratio = state["config"]["model"]["downsampling_ratio"]

    def decode(x):
        """x [2, T] (T a multiple of the ratio) -> the decoded [2, T]."""
        x = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))[None]
        mean, stdev = posterior(encoder, x)
        if not a.no_replace:
            mean, stdev = channel.replace(mean, stdev, x)
        return decoder.decode(mean)[0].numpy()

    chosen = first_clips_per_family(read_meta(a.corpus, "eval"), a.per_family)
    balances = []
    with torch.no_grad():
        for meta in chosen:
            n = int(round(meta["seconds_total"] * 44100))
            x = load_clip(a.corpus, meta, 0, -(-n // ratio) * ratio)
            balances.append((lr_balance_db(x[:, :n]), lr_balance_db(decode(x)[:, :n])))
        time = np.arange(int(1.5 * 44100) // ratio * ratio) / 44100
        noise = 0.2 * np.random.default_rng(0).standard_normal(time.size)
        noise_out = {}
        for pan_db in (12, 0, -12):
            gain = 10 ** (pan_db / 40)  # L/R energy ratio 10^(pan/10)
            noise_out[f"{pan_db:+d} dB"] = round(lr_balance_db(decode(np.stack([noise * gain, noise / gain]))), 1)
        silence = decode(np.zeros((2, time.size))).astype(np.float64)
        silence_db = round(float(10 * np.log10(np.mean(silence ** 2) + 1e-20)), 1)
        silence_mean = [round(float(v), 5) for v in silence.mean(axis=1)]
    print(json.dumps(dict(
        vae=a.vae, vae_step=state["step"], reference=a.reference,
        position_channel=None if a.no_replace else channel.record(), clips=len(chosen), stereo=stereo_kept(balances),
        white_noise_panned=noise_out, decoded_silence_db=silence_db, decoded_silence_mean_left_right=silence_mean),
        indent=1))


if __name__ == "__main__":
    main()
