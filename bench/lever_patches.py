"""Levers tried as patches of the library (bench only, never imported by the package): `levers.py --patch NAME[=ARG]`.

Each function changes `balatro_cards` in this process only, so a lever can be measured before it earns a place in a
notebook. Those that did not help stay here, so their rows in `levers.json` can be rerun.
"""
import random
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
from PIL import Image, ImageFilter
from fastai.vision.all import (Callback, Transform, PILImage, AdaptiveConcatPool2d, Flatten, create_head, apply_init,
                               num_features_model, ifnone, ItemTransform, ConvLayer, TensorImage)
from fastai.vision.augment import rgb2hsv, hsv2rgb
import balatro_cards.data as D, balatro_cards.model as M
from balatro_cards.core import RANKS, SUITS, MODIFIERS
from balatro_cards.editions import card_mask
from balatro_cards.augment import _bg_plate

def _rebuild_heads(m, lin_ftrs, ps, parts, part_ftrs=None):
    "New name/modifier (and rank+suit) heads for `m.nf` features, initialised as `CardModel` does."
    m.name_head = create_head(m.nf, m.name_head[-1].out_features, lin_ftrs=lin_ftrs, ps=ps, pool=False)
    m.mod_head = create_head(m.nf, m.mod_head[-1].out_features, lin_ftrs=lin_ftrs, ps=ps, pool=False)
    if parts is not None:
        m.part_head = create_head(m.nf, len(RANKS)+len(SUITS), lin_ftrs=ifnone(part_ftrs, lin_ftrs), ps=ps, pool=False)
    for h in (m.name_head, m.mod_head, m.part_head):
        if h is not None: apply_init(h, nn.init.kaiming_normal_)

def _patch_init(after):
    "Wrap `CardModel.__init__` so `after(model, lin_ftrs, ps, parts)` runs once it is built."
    orig = M.CardModel.__init__
    def init(self, body, nf, n_names, n_mods=5, lin_ftrs=None, ps=0.5, concat_pool=True, init=nn.init.kaiming_normal_,
             parts=None, **kw):
        orig(self, body, nf, n_names, n_mods, lin_ftrs, ps, concat_pool, init, parts, **kw)
        after(self, lin_ftrs, ps, parts)
    M.CardModel.__init__ = init

def local(stage='5'):
    "Concat-pooled features of body stage `stage` (5: layer2, 6: layer3 of a resnet) join the final pooled features."
    k = int(stage)
    def after(m, lin_ftrs, ps, parts):
        m.local_pool = nn.Sequential(AdaptiveConcatPool2d(), Flatten())
        m.nf += 2*num_features_model(m.body[:k+1])
        _rebuild_heads(m, lin_ftrs, ps, parts)
    def encode(self, x):
        h = self.body[:k+1](x)
        return self.feats(torch.cat([self.pool(self.body[k+1:](h)), self.local_pool(h)], 1))
    _patch_init(after); M.CardModel.encode = encode

def partlin(_=None):
    "The rank+suit head is linear (no hidden layer)."
    _patch_init(lambda m, lin_ftrs, ps, parts: _rebuild_heads(m, lin_ftrs, ps, parts, part_ftrs=[]))

class BgSwap(Transform):
    "Paste the card of a fraction `p` of training images onto the background of another training image (cached)."
    split_idx,order = 0,0
    def __init__(self, cache, p=0.5): self.cache,self.p,self.alphas,self.plates,self.seen = cache,p,{},{},[]
    def alpha(self, k):
        if k not in self.alphas:
            m = card_mask(self.cache.imgs[k])
            a = np.asarray(Image.fromarray(m.astype(np.uint8)*255).filter(ImageFilter.BoxBlur(0.5)), np.float32)
            self.alphas[k] = a[...,None]/255 if m.any() and not m.all() else None
            self.seen.append(k)
        return self.alphas[k]
    def plate(self, k):
        if k not in self.plates:
            a = self.alpha(k)
            self.plates[k] = None if a is None else _bg_plate(np.asarray(self.cache.imgs[k]), a[...,0] > .5)
        return self.plates[k]
    def encodes(self, img:PILImage):
        k = getattr(img, 'cache_key', None)
        if k is None or random.random() >= self.p or (a := self.alpha(k)) is None: return img
        d = random.choice(self.seen)
        bg = self.plate(d) if d != k else None
        if bg is None or bg.shape[:2] != a.shape[:2]: return img
        return D.card_img(np.clip(np.asarray(img, np.float32)*a + bg*(1-a) + .5, 0, 255).astype(np.uint8))

def bgswap(p='0.5'):
    "`BgSwap(p)` on every training image of `ImageCache` (the card on another training image's background)."
    orig_call,orig_tfms,orig_dblock = D.ImageCache.__call__,D.card_tfms,D.card_dblock
    def call(self, o):
        img = orig_call(self, o)
        if isinstance(o, (str, D.Path)): img.cache_key = str(o)
        return img
    def dblock(*a, **kw):
        db = orig_dblock(*a, **kw)
        cache = db.type_tfms[0][0] if isinstance(db.type_tfms[0][0], D.ImageCache) else None
        if cache is not None: db.item_tfms = [BgSwap(cache, float(p))] + list(db.item_tfms)
        return db
    D.ImageCache.__call__,D.card_dblock = call,dblock

PATCHES = dict(local=local, partlin=partlin, bgswap=bgswap)

def apply(spec:str):
    "Apply patch `spec` ('name' or 'name=arg')."
    name,_,arg = spec.partition('=')
    if name not in PATCHES: raise SystemExit(f"unknown patch {name!r}: one of {', '.join(PATCHES)}")
    PATCHES[name](*([arg] if arg else []))

class SuitCrops(Callback):
    "Auxiliary suit loss: zoomed random crops of the batch's playing cards, read by the suit logits alone."
    order = 60
    def __init__(self, w:float=0.5, frac=(0.45, 0.8)): self.w,self.frac = w,frac
    def after_loss(self):
        m = self.learn.model
        if not self.training or getattr(m, 'part_head', None) is None: return
        x,yn = self.learn.xb[0],self.learn.yb[0]
        suit = m.parts[yn, 1]
        keep = suit >= 0
        if keep.sum() < 2: return
        x,suit = x[keep],suit[keep]
        n,_,h,w = x.shape
        fh,fw = [torch.empty(n, device=x.device).uniform_(*self.frac) for _ in range(2)]
        cy,cx = [(torch.rand(n, device=x.device)*2-1)*(1-f) for f in (fh,fw)]
        theta = torch.zeros(n, 2, 3, device=x.device)
        theta[:,0,0],theta[:,0,2],theta[:,1,1],theta[:,1,2] = fw,cx,fh,cy
        crops = F.grid_sample(x, F.affine_grid(theta, (n, 3, h, w), align_corners=False), align_corners=False)
        logits = m.part_head(m.encode(crops))[:, len(RANKS):]
        self.learn.loss_grad = self.learn.loss_grad + self.w*F.cross_entropy(logits.float(), suit)

def suitcrops(w='0.5'):
    "`SuitCrops(w)` added to every training run (a callback of `train_cards`)."
    import balatro_cards.pipeline as Pl
    orig = Pl.train_cards
    def train_cards(*a, cbs=None, **kw): return orig(*a, cbs=list(cbs or []) + [SuitCrops(float(w))], **kw)
    Pl.train_cards = train_cards

PATCHES['suitcrops'] = suitcrops

def colour(nf='32'):
    "A colour branch: 1x1 convolutions on the input (no spatial context), concat-pooled, join the pooled features."
    k = int(nf)
    def after(m, lin_ftrs, ps, parts):
        m.colour = nn.Sequential(nn.Conv2d(3, 16, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
                                 nn.Conv2d(16, k, 1, bias=False), nn.BatchNorm2d(k), nn.ReLU(),
                                 AdaptiveConcatPool2d(), Flatten())
        m.nf += 2*k
        _rebuild_heads(m, lin_ftrs, ps, parts)
    def encode(self, x): return self.feats(torch.cat([self.pool(self.body(x)), self.colour(x)], 1))
    _patch_init(after); M.CardModel.encode = encode

PATCHES['colour'] = colour

# `cornersuit` (suit logits from the corner view alone; rows crop_cornersuit_*) is now the library's `corner=True`
# (`model.CardModel`, with `body_scale` for the encoder's input): rerun those rows with `corner=True body_scale=0.6667`.

def cornerrank(mode='add'):
    """With `corner=True`: the corner's head gives rank logits as well as the suit's; `mode='add'` adds them to the
    whole card's rank logits, `'alone'` uses them instead (the rank head goes unused)."""
    def after(m, lin_ftrs, ps, parts):
        if m.corner is None or parts is None: raise SystemExit('cornerrank needs corner=True and playing cards')
        m.suit_head = create_head(m.nc, len(RANKS)+len(SUITS), lin_ftrs=lin_ftrs, ps=ps, pool=False)
        apply_init(m.suit_head, nn.init.kaiming_normal_)
    def name_logits(self, f):
        out = self.name_head(f).masked_fill(self.parts[:,0] >= 0, 0.)
        c = self.suit_head(f[:, -self.nc:])
        r = c[:, :len(RANKS)] + (self.part_head(f) if mode=='add' else 0)
        rank,suit = F.pad(r, (0,1)),F.pad(c[:, len(RANKS):], (0,1))
        return out + rank[:, self.parts[:,0]] + suit[:, self.parts[:,1]]
    _patch_init(after); M.CardModel.name_logits = name_logits

PATCHES['cornerrank'] = cornerrank
PATCHES['cornerparts'] = lambda: cornerrank('alone')

class PolyHue(ItemTransform):
    "Turn the hue of every training image labelled Polychrome by a random amount: its rainbow field has no fixed hue."
    split_idx,order = 0,21   # training batches only; after `Overlap`, before rotation and lighting
    def __init__(self, mod:int=MODIFIERS.index('Polychrome')): self.mod = mod
    def encodes(self, b):
        x,*ys = b
        i = torch.nonzero(ys[-1].as_subclass(torch.Tensor) == self.mod).flatten()
        if not len(i): return b
        hsv = rgb2hsv(x.as_subclass(torch.Tensor)[i])
        hsv[:,0] = (hsv[:,0] + torch.rand(len(i), 1, 1, device=x.device)) % 1
        return (x.index_copy(0, i, hsv2rgb(hsv).clamp(0, 1)), *ys)

def polyhue(_=None):
    "`PolyHue()` in every training batch pipeline (`card_tfms`)."
    orig = D.card_tfms
    def tfms(*a, **kw):
        item,batch = orig(*a, **kw)
        return item,[*batch, PolyHue()]
    D.card_tfms = tfms

PATCHES['polyhue'] = polyhue

def cornerwide(k='2'):
    "`corner_net` with `k` times the channels (and features) at every layer."
    k = int(k)
    def net(nf:int=128):
        c = [16*k, 32*k, 32*k, 64*k, 64*k, nf*k]
        return nn.Sequential(ConvLayer(3, c[0]), *[ConvLayer(a, b, stride=2 if i%2==0 else 1)
                                                   for i,(a,b) in enumerate(zip(c, c[1:]))],
                             AdaptiveConcatPool2d(), Flatten())
    M.corner_net = net

PATCHES['cornerwide'] = cornerwide

# `edsuit` (a suit head per edition on the corner view; rows edsuit*) is now the library's `suit_by_edition=True`,
# the default with `corner=True` (`model.EditionMix`): rerun those rows without the patch

def rankcorner(grid='1'):
    """With `corner=True`: a rank head on the corner view's features, its logits added to the whole card's rank logits;
    `grid=g` pools the corner's map to g×g cells (average and max) instead of one, so its features keep where the
    strokes of a rank's letter or digits are."""
    g = int(grid)
    if g > 1:
        orig = M.corner_net
        M.corner_net = lambda nf=128: nn.Sequential(*list(orig(nf))[:-2], AdaptiveConcatPool2d(g), Flatten())
    def after(m, lin_ftrs, ps, parts):
        if m.corner is None or parts is None: raise SystemExit('rankcorner needs corner=True and playing cards')
        m.crank = create_head(m.nc, len(RANKS), lin_ftrs=lin_ftrs, ps=ps, pool=False)
        apply_init(m.crank, nn.init.kaiming_normal_)
    nl = M.CardModel.name_logits
    def name_logits(self, f, mod=None):
        r = F.pad(self.crank(f[:, -self.nc:]), (0,1))
        return nl(self, f, mod) + r[:, self.parts[:,0]]
    split = M.card_splitter
    def splitter(m):
        gs = split(m)
        return type(gs)(list(gs[:-1]) + [list(gs[-1]) + list(m.crank.parameters())]) if hasattr(m, 'crank') else gs
    import balatro_cards.learner as Lr
    _patch_init(after); M.CardModel.name_logits = name_logits; M.card_splitter = Lr.card_splitter = splitter

PATCHES['rankcorner'] = rankcorner

class RankAux(Callback):
    "Auxiliary loss: `w` × cross-entropy of the corner's own rank logits (`rankaux`) on the batch's playing cards."
    order = 60
    def __init__(self, w:float=0.5): self.w = w
    def after_loss(self):
        m = self.learn.model
        if not self.training or getattr(m, '_crank', None) is None: return
        r = m.parts[self.learn.yb[0], 0]
        keep = r >= 0
        if keep.any():
            self.learn.loss_grad = self.learn.loss_grad + self.w*F.cross_entropy(m._crank[keep].float(), r[keep])

def rankaux(w='0.5', g='2'):
    """With `corner=True`: the corner's conv map, pooled to g×g cells (average and max), feeds a rank head of its own,
    trained by an auxiliary loss (`RankAux`, weight `w`) so it must read the rank from the corner alone; its logits are
    added to the whole card's rank logits. The suit heads read the corner's usual pooled features."""
    w,g = float(w),int(g)
    def after(m, lin_ftrs, ps, parts):
        if m.corner is None or parts is None: raise SystemExit('rankaux needs corner=True and playing cards')
        m.gridpool = nn.Sequential(AdaptiveConcatPool2d(g), Flatten())
        m.crank = create_head(g*g*m.nc, len(RANKS), lin_ftrs=lin_ftrs, ps=ps, pool=False)   # nc: concat-pooled
        apply_init(m.crank, nn.init.kaiming_normal_)
    def encode(self, x):
        h,wd = [max(8, round(s*k)) for s,k in zip(x.shape[-2:], M.CORNER)]
        f = self.pool(self.body(F.adaptive_avg_pool2d(x, [max(8, round(s*self.body_scale)) for s in x.shape[-2:]])))
        mp = self.corner[:-2](x[..., :h, :wd])
        self._grid = self.gridpool(mp)
        return self.feats(torch.cat([f, self.corner[-2:](mp)], 1))
    nl = M.CardModel.name_logits
    def name_logits(self, f, mod=None):
        self._crank = self.crank(self._grid)
        return nl(self, f, mod) + F.pad(self._crank, (0,1))[:, self.parts[:,0]]
    split = M.card_splitter
    def splitter(m):
        gs = split(m)
        if not hasattr(m, 'crank'): return gs
        return type(gs)(list(gs[:-1]) + [list(gs[-1]) + list(m.crank.parameters())])
    import balatro_cards.learner as Lr, balatro_cards.pipeline as Pl
    _patch_init(after); M.CardModel.encode = encode; M.CardModel.name_logits = name_logits
    M.card_splitter = Lr.card_splitter = splitter
    orig = Pl.train_cards
    def train_cards(*a, cbs=None, **kw): return orig(*a, cbs=list(cbs or []) + [RankAux(w)], **kw)
    Pl.train_cards = train_cards

PATCHES['rankaux'] = rankaux

class WeightEMA(Callback):
    """An exponential moving average of the weights (`decay` per step) from `start` (fraction of training) on; after the
    fit the average replaces the weights and BatchNorm statistics are estimated again for them (`recompute_bn`)."""
    order = 60
    def __init__(self, decay=0.99, start=0.5, n_bn=16): self.decay,self.start,self.n_bn,self.avg = decay,start,n_bn,None
    def before_fit(self): self.avg = None
    def after_step(self):
        if hasattr(self.learn, 'lr_finder') or self.pct_train < self.start: return
        ps = [p.detach() for p in self.learn.model.parameters()]
        if self.avg is None: self.avg = [p.clone() for p in ps]
        else: torch._foreach_lerp_(self.avg, ps, 1-self.decay)
    def after_fit(self):
        if self.avg is None: return
        from balatro_cards.learner import recompute_bn
        with torch.no_grad():
            for p,a in zip(self.learn.model.parameters(), self.avg): p.copy_(a)
        recompute_bn(self.learn.model, self.learn.dls.train, self.n_bn)

def ema(decay='0.99', start='0.5'):
    "`WeightEMA(decay, start)` on every training run (`train_cards`)."
    import balatro_cards.pipeline as Pl
    orig = Pl.train_cards
    def train_cards(*a, cbs=None, **kw):
        return orig(*a, cbs=list(cbs or []) + [WeightEMA(float(decay), float(start))], **kw)
    Pl.train_cards = train_cards

PATCHES['ema'] = ema

# `cornerpre` (a rank head on the corner view's features added to the whole card's rank logits, the corner view
# pretrained on the training playing cards' corners before the fit; rows cornerpre40*) is now the library's default with
# `corner=True` (`model.CardModel.crank`, `learner.CornerPretrain`, `train_cards(corner_pretrain=40)`): rerun those
# rows without a patch.

class BoxJitter(Transform):
    "Move each edge of a fraction `p` of training crops by N(0, `sd`) card widths, as a detector's boxes do."
    split_idx,order = 0,25
    def __init__(self, sd=0.035, p=0.75, aspect=0.75): self.sd,self.p,self.aspect = sd,p,aspect
    def encodes(self, x:TensorImage):
        bs = x.shape[0]
        e = torch.randn(bs, 4, device=x.device)*self.sd*(torch.rand(bs, 1, device=x.device) < self.p)
        e[:, 1::2] *= self.aspect
        one,zero = torch.ones(bs, device=x.device),torch.zeros(bs, device=x.device)
        theta = torch.stack([torch.stack([one + e[:,2] - e[:,0], zero, e[:,0] + e[:,2]], 1),
                             torch.stack([zero, one + e[:,3] - e[:,1], e[:,1] + e[:,3]], 1)], 1)
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        return F.grid_sample(x, grid, mode='bilinear', padding_mode='border', align_corners=False)

def boxjit(sd='0.035'):
    "Training crops' edges moved at random (sd `sd` card widths), as the detector's boxes move on screens."
    orig = D.card_tfms
    def card_tfms(*a, **kw):
        item,batch = orig(*a, **kw)
        return item, batch + [BoxJitter(float(sd))]   # `order` puts it after `Overlap`, before the rotation
    D.card_tfms = card_tfms

PATCHES['boxjit'] = boxjit

def suitboth(_=None):
    "With the corner view: the whole card's features give suit logits too, added to the corner's (as `crank` for ranks)."
    def after(m, lin_ftrs, ps, parts):
        if m.part_head is None or not m.nc: return
        m.part_head = create_head(m.nf, len(RANKS)+len(SUITS), lin_ftrs=lin_ftrs, ps=ps, pool=False)
        apply_init(m.part_head, nn.init.kaiming_normal_)
    def name_logits(self, f, mod=None):
        out = self.name_head(f)
        if self.part_head is None: return out
        out = out.masked_fill(self.parts[:,0] >= 0, 0.)
        p = self.part_head(f)
        r,s = p[:, :len(RANKS)],p[:, len(RANKS):]
        if self.crank is not None: r = r + self.crank(f[:, -self.nc:])
        if self.suit_head is not None: s = s + self.suit_logits(f[:, -self.nc:], self.mod_head(f) if mod is None else mod)
        rank,suit = F.pad(r, (0,1)),F.pad(s, (0,1))
        return out + rank[:, self.parts[:,0]] + suit[:, self.parts[:,1]]
    _patch_init(after); M.CardModel.name_logits = name_logits

PATCHES['suitboth'] = suitboth

def _cornerbal(key, rank_too:bool):
    "The corner pretraining's losses weighted so each group `key(rank, suit, mod)` weighs the same (`fit_corner`)."
    import balatro_cards.learner as Lr
    def weights(g):
        _,inv,cnt = torch.unique(g, dim=0, return_inverse=True, return_counts=True)
        w = 1/cnt[inv].float()
        return w/w.mean()
    def fit_corner(m, x, rank, suit, mod, epochs=40, lr=1e-2, bs=64, shift=2, light=0.2, head_epochs=20):
        dev,nr = next(m.parameters()).device,len(RANKS)
        probe,w = nn.Linear(m.nc, nr + len(SUITS)).to(dev),weights(key(rank, suit, mod)).to(dev)
        ce = lambda o,t,b,on=True: (F.cross_entropy(o, t[b].to(dev), reduction='none')*(w[b] if on else 1)).mean()
        def probe_loss(b):
            dy,dx = torch.randint(-shift, shift+1, (2,)).tolist()
            o = probe(m.corner((x[b].roll((dy, dx), (2, 3)) * (1 + light*torch.randn(len(b), 1, 1, 1))).to(dev)))
            return ce(o[:, :nr], rank, b, rank_too) + ce(o[:, nr:], suit, b)
        m.train()
        Lr._fit_steps(list(m.corner.parameters()) + list(probe.parameters()), probe_loss, len(x), epochs, lr, bs)
        m.corner.eval()
        fc = Lr._corner_feats(m, x)
        def head_loss(b):
            r,s = Lr._head_logits(m, fc[b], mod[b].to(dev))
            return ce(r, rank, b, rank_too) + ce(s, suit, b)
        Lr._fit_steps(list(m.crank.parameters()) + list(m.suit_head.parameters()), head_loss, len(x), head_epochs,
                      lr, bs)
        m.train()
    Lr.fit_corner = fit_corner

def suitbal(_=None):
    "The corner pretraining's suit losses balanced: each suit weighs the same within each edition (`fit_corner`)."
    _cornerbal(lambda r,s,m: torch.stack([m, s], 1), rank_too=False)

def namebal(_=None):
    "The corner pretraining's losses balanced: each playing-card name (rank and suit) weighs the same (`fit_corner`)."
    _cornerbal(lambda r,s,m: torch.stack([r, s], 1), rank_too=True)

PATCHES['namebal'] = namebal
PATCHES['suitbal'] = suitbal

def cornertall(h='0.55', w='0.4'):
    "The corner view taller (and/or wider): `model.CORNER` = (h, w) of the input, from the top left (0.4, 0.4 now)."
    M.CORNER = (float(h), float(w))

PATCHES['cornertall'] = cornertall
