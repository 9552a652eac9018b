# Independent reference for test/backtest-goog.test.ts: sma-cross 10/20 on GOOG.csv the way
# backtesting.py's README example runs it (SmaCross, commission .002, exclusive_orders=True, i.e.
# long/short, trade_on_close=False: fill at the next open), written from that behaviour with the
# Python standard library only (no pandas, no Bourse code). Sizing as backtesting.py sizes a
# fraction of equity, at the fill: whole units of (fraction 1 x) the cash available at the fill, after
# the previous trade was closed at the same open, // (price * (1 + commission)) — not the equity seen
# at the signal's close. The last open trade is closed at the last close, on the last bar's date.
# Prints the trades and the final equity as JSON. Run: python3 test/backtest-goog-reference.py
import csv, json, sys
from fractions import Fraction as F

path = sys.argv[1] if len(sys.argv) > 1 else '../shared/data/GOOG.csv'
rows = list(csv.reader(open(path)))[1:]
date = [r[0] for r in rows]
o = [F(r[1]) for r in rows]
c = [F(r[4]) for r in rows]
COMM = F('0.002')

def sma(i, n):
    return sum(c[i - n + 1:i + 1]) / n if i >= n - 1 else None

cash, pos, entry, entry_i, entry_fee = F(10000), 0, None, None, None
trades, pending = [], None
for i in range(len(rows)):
    if pending is not None:  # orders decided at the previous close fill at this open
        px = o[i]
        if pos != 0:  # close first
            fee = abs(pos) * px * COMM
            cash += pos * px - fee
            trades.append(dict(side='BUY' if pos > 0 else 'SELL', qty=abs(pos), entry=entry, exit=px,
                               entryDate=date[entry_i], exitDate=date[i], fees=entry_fee + fee))
            pos = 0
        budget = cash  # flat after the closing leg: all of the equity is the cash
        qty = int(budget // (px * (1 + COMM)))
        if qty > 0:
            fee = qty * px * COMM
            sign = 1 if pending[0] == 'long' else -1
            cash -= sign * qty * px + fee
            pos, entry, entry_i, entry_fee = sign * qty, px, i, fee
        pending = None
    f0, s0, f1, s1 = sma(i - 1, 10), sma(i - 1, 20), sma(i, 10), sma(i, 20)
    if s0 is not None:
        if f0 < s0 and f1 > s1 and pos <= 0:
            pending = ('long',)
        elif f0 > s0 and f1 < s1 and pos >= 0:
            pending = ('short',)
last = len(rows) - 1
if pos != 0:
    fee = abs(pos) * c[last] * COMM
    cash += pos * c[last] - fee
    trades.append(dict(side='BUY' if pos > 0 else 'SELL', qty=abs(pos), entry=entry, exit=c[last],
                       entryDate=date[entry_i], exitDate=date[last], fees=entry_fee + fee))
out = dict(equityFinal=float(cash), tradeCount=len(trades),
           trades=[dict(side=t['side'], qty=t['qty'], entryDate=t['entryDate'], entryPrice=str(float(t['entry'])),
                        exitDate=t['exitDate'], exitPrice=str(float(t['exit'])), fees=float(t['fees'])) for t in trades])
print(json.dumps(out))
