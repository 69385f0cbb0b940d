import numpy as np, sys, math
def load(prefix, d=512):
    toks=[];nll=[];starts=[]
    for k,line in enumerate(open(prefix)):
        a=line.split()
        if len(a)==3: starts.append(k)
        toks.append(int(a[0])); nll.append(float(a[1]))
    H=np.fromfile(prefix+".f32",dtype='<f4').reshape(-1,d)
    toks=np.array(toks); nll=np.array(nll)
    assert len(H)==len(toks), (len(H), len(toks))
    starts.append(len(toks))
    return [(toks[a:b], nll[a:b], H[a:b]) for a,b in zip(starts[:-1], starts[1:])]
def doc_cache(y, H, thetas, window, block=1024):
    n=len(y)
    Hn=H/np.linalg.norm(H,axis=1,keepdims=True)
    out={th: np.zeros(n) for th in thetas}
    for s in range(0,n,block):
        e=min(n,s+block)
        lo=max(0,s-window)
        S=Hn[s:e]@Hn[lo:e].T             # (b, e-lo)
        t=np.arange(s,e)[:,None]; i=np.arange(lo,e)[None,:]
        valid=(i<t)&(i>=t-window)
        match=(y[lo:e][None,:]==y[s:e][:,None])&valid
        for th in thetas:
            z=np.where(valid, th*S, -np.inf)
            m=z.max(axis=1,keepdims=True); m=np.where(np.isfinite(m),m,0)
            w=np.exp(z-m)
            den=w.sum(axis=1); num=(w*match).sum(axis=1)
            out[th][s:e]=np.where(den>0, num/np.maximum(den,1e-300), 0.0)
    return out
docs=load(sys.argv[1]); nbytes=float(sys.argv[2]); window=int(sys.argv[3]) if len(sys.argv)>3 else 4096
thetas=[5.0,10.0,20.0,40.0]; lams=[0.02,0.05,0.1,0.15,0.2]
base=sum(n.sum() for _,n,_ in docs)
print("base bpb %.4f"%(base/math.log(2)/nbytes), flush=True)
pcs=[doc_cache(y,H,thetas,window) for y,_,H in docs]
for th in thetas:
    row=[]
    for lam in lams:
        tot=0.0
        for (y,n,_),pc in zip(docs,pcs):
            pm=np.exp(-n); c=pc[th]
            l=np.where(np.arange(len(y))>0, lam, 0.0)
            tot+=-np.log((1-l)*pm+l*c).sum()
        row.append("%.4f"%(tot/math.log(2)/nbytes))
    print("theta",th,dict(zip(lams,row)), flush=True)
