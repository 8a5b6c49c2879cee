// scratch: evaluate fixed combination rules offline from the CLI's neural component
import fs from "node:fs";
import { thetaForecast, combShdForecast } from "../lib/forecast/stats";
import { dampedForecast, withSeasonalAdjustment, holtAdjusted, fitSes } from "../lib/forecast/stats";
import { allBaselines } from "../lib/forecast/baselines";
const [dir, comp, mStr, hStr, months] = process.argv.slice(2);
const m = Number(mStr), H = Number(hStr);
function readLong(f: string) { const o = new Map<string, {date:string,v:number}[]>(); for (const l of fs.readFileSync(f,"utf8").trim().split("\n").slice(1)) { const [s,d,v]=l.split(","); (o.get(s)??o.set(s,[]).get(s)!).push({date:d,v:Number(v)}); } return o; }
const train = readLong(dir+"/train.csv"), test = readLong(dir+"/test.csv");
const neural = new Map<string, number[]>();
for (const l of fs.readFileSync(comp,"utf8").trim().split("\n").slice(1)) { const c=l.split(","); if (c[3]!=="neural") continue; (neural.get(c[0])??neural.set(c[0],[]).get(c[0])!)[Number(c[2])-1]=Number(c[4]); }
const anchors = new Map<string, Map<string, number[]>>();
for (const l of fs.readFileSync(dir+"/anchors.csv","utf8").trim().split("\n").slice(1)) { const c=l.split(","); const a=anchors.get(c[1])??anchors.set(c[1],new Map()).get(c[1])!; (a.get(c[0])??a.set(c[0],[]).get(c[0])!)[Number(c[2])-1]=Number(c[4]); }
const mb = (a: string,b: string)=>{const [ya,ma]=a.split("-").map(Number);const [yb,mbb]=b.split("-").map(Number);return (yb-ya)*12+mbb-ma;};
const names=[...train.keys()].filter(s=>!months||mb(train.get(s)![0].date,train.get(s)![1].date)===Number(months));
const comps: Record<string, Map<string, number[]>> = {};
const put=(k:string,s:string,f:number[])=>{(comps[k]??=new Map()).set(s,f);};
for (const s of names) {
  const x = train.get(s)!.map(r=>r.v);
  const b = allBaselines(x,H,m);
  put("N",s,neural.get(s)!); put("T",s,thetaForecast(x,H,m)); put("C",s,combShdForecast(x,H,m)); put("D",s,dampedForecast(x,H,m));
  put("Ho",s,withSeasonalAdjustment(x,H,m,(a,h)=>holtAdjusted(a,h,false))); put("SES",s,withSeasonalAdjustment(x,H,m,(a,h)=>new Array(h).fill(fitSes(a).level)));
  put("N2",s,b.naive2); put("SN",s,b.seasonalNaive); put("NV",s,b.naive);
  put("ets",s,anchors.get("ets")!.get(s)!); put("arima",s,anchors.get("arima")!.get(s)!);
}
function score(get:(s:string)=>number[]) { let S=0,M=0; for (const s of names){ const x=train.get(s)!.map(r=>r.v), y=test.get(s)!.map(r=>r.v), f=get(s); let a=0,b=0; for(let k=0;k<H;k++){const d=Math.abs(y[k])+Math.abs(f[k]); if(d>0)a+=Math.abs(y[k]-f[k])/d; b+=Math.abs(y[k]-f[k]);} let sc=0; const lag = x.length>m? m:1; for(let t=lag;t<x.length;t++)sc+=Math.abs(x[t]-x[t-lag]); sc/=x.length-lag; S+=200*a/H; M+=b/H/sc;} return {s:S/names.length,m:M/names.length}; }
const n2=score(s=>comps.N2.get(s)!);
const owa=(keys:string[], med=false)=>{const r=score(s=>{const fs=keys.map(k=>comps[k].get(s)!); return fs[0].map((_,k)=>{const v=fs.map(f=>f[k]).sort((a,b)=>a-b); if(med){const q=v.length>>1; return v.length%2?v[q]:(v[q-1]+v[q])/2;} return v.reduce((a,b)=>a+b,0)/v.length;});}); return (0.5*(r.s/n2.s+r.m/n2.m)).toFixed(4)+` (${r.s.toFixed(3)}/${r.m.toFixed(4)})`;};
const rules = (process.argv[7] ?? "N;T;C;D;Ho;SES;N2;SN;NV;ets;arima;N,T,C;N,T;N,C;N,D;N,T,D;N,T,C,D;T,C;T,D;N,T,C,SN;N,T,NV").split(";");
for (const r of rules) { const med=r.startsWith("med:"); const k=(med?r.slice(4):r).split(","); console.log(r.padEnd(16), owa(k,med)); }
