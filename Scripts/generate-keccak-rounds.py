# Generates the four round bodies inside the loop of KeccakF1600.absorb in
# Sources/HeraldCrypto/KeccakF1600.swift: Keccak-f[1600] rounds, row by row
# (XKCP "thetaRhoPiChiIotaPrepareTheta" order), with the lane-complementing
# transform. Run: python3 Scripts/generate-keccak-rounds.py
# The output is the file's lines from "// Round 4k: a → e." to the last χ/ι line.
import re, sys
R = [0]*25
x, y = 1, 0
for t in range(24):
    R[x+5*y] = ((t+1)*(t+2)//2) % 64
    x, y = y, (2*x+3*y) % 5
rows = "bgkms"; cols = "aeiou"
chi = {
 "ba": "Bba ^ (Bbe | Bbi)", "be": "Bbe ^ (~Bbi | Bbo)", "bi": "Bbi ^ (Bbo & Bbu)", "bo": "Bbo ^ (Bbu | Bba)", "bu": "Bbu ^ (Bba & Bbe)",
 "ga": "Bga ^ (Bge | Bgi)", "ge": "Bge ^ (Bgi & Bgo)", "gi": "Bgi ^ (Bgo | ~Bgu)", "go": "Bgo ^ (Bgu | Bga)", "gu": "Bgu ^ (Bga & Bge)",
 "ka": "Bka ^ (Bke | Bki)", "ke": "Bke ^ (Bki & Bko)", "ki": "Bki ^ (~Bko & Bku)", "ko": "~Bko ^ (Bku | Bka)", "ku": "Bku ^ (Bka & Bke)",
 "ma": "Bma ^ (Bme & Bmi)", "me": "Bme ^ (Bmi | Bmo)", "mi": "Bmi ^ (~Bmo | Bmu)", "mo": "~Bmo ^ (Bmu & Bma)", "mu": "Bmu ^ (Bma | Bme)",
 "sa": "Bsa ^ (~Bse & Bsi)", "se": "~Bse ^ (Bsi | Bso)", "si": "Bsi ^ (Bso & Bsu)", "so": "Bso ^ (Bsu | Bsa)", "su": "Bsu ^ (Bsa & Bse)",
}
def round_body(src, dst, rc, ind):
    L = lambda p, i: f"{p}{i:02d}"
    out = []
    for X in range(5):
        out.append(ind + f"c{X} = " + " ^ ".join(L(src, X+5*Y) for Y in range(5)))
    for X in range(5):
        out.append(ind + f"d{X} = c{(X+4)%5} ^ rotl(c{(X+1)%5}, 1)")
    for Y in range(5):
        # B for output row Y, column X comes from source lane (x, y) with y = X, x = 3(Y - 3X) mod 5
        names = {}
        for X in range(5):
            yy = X; xx = (3*(Y - 3*X)) % 5
            i = xx + 5*yy
            e = f"{L(src, i)} ^ d{xx}"
            if R[i]: e = f"rotl({e}, {R[i]})"
            out.append(ind + f"b{X} = {e}")
        for X in range(5):
            n = rows[Y] + cols[X]
            expr = re.sub(r"B[bgkms]([aeiou])", lambda m: f"b{cols.index(m.group(1))}", chi[n])
            if Y == 0 and X == 0:
                expr = f"{expr} ^ {rc}"
            out.append(ind + f"{L(dst, X+5*Y)} = {expr}")
    return out
ind = "                    "
lines = []
for k, (src, dst) in enumerate([("a", "e"), ("e", "a"), ("a", "e"), ("e", "a")]):
    label = "4k" if k == 0 else f"4k + {k}"
    rc = "constants[round]" if k == 0 else f"constants[round + {k}]"
    lines += [ind + f"// Round {label}: {src} → {dst}."] + round_body(src, dst, rc, ind)
sys.stdout.write("\n".join(lines) + "\n")
