"""Stand-in synthetic building for the viewer measurement (bench only).

The project's real generator lives in bimflow/ifc/ (another engineer's work); until it
lands this writes a plain IFC4 text file of N products (walls, slabs, columns, beams,
doors, windows) on a grid of storeys, each with an extruded-rectangle body, a
placement, a storey containment and a property set, which is what makes an IFC of
this size expensive to load. Usage: python gen_building.py 50000 out.ifc
"""

import random
import string
import sys

# Extra properties per element: sized so 50,000 products give a file of about 100 MB,
# like the project's target model.
EXTRA_PROPS = 11

CHARS = string.digits + string.ascii_uppercase + string.ascii_lowercase + "_$"


def guid(rng: random.Random) -> str:
    return "".join(rng.choice(CHARS[:4] if i == 0 else CHARS) for i in range(22))


def main(count: int, path: str) -> None:
    rng = random.Random(42)
    lines: list[str] = []
    n = 0

    def add(text: str) -> int:
        nonlocal n
        n += 1
        lines.append(f"#{n}={text};")
        return n

    origin = add("IFCCARTESIANPOINT((0.,0.,0.))")
    zdir = add("IFCDIRECTION((0.,0.,1.))")
    xdir = add("IFCDIRECTION((1.,0.,0.))")
    world = add(f"IFCAXIS2PLACEMENT3D(#{origin},#{zdir},#{xdir})")
    context = add(f"IFCGEOMETRICREPRESENTATIONCONTEXT($,'Model',3,1.E-05,#{world},$)")
    body_ctx = add(f"IFCGEOMETRICREPRESENTATIONSUBCONTEXT('Body','Model',*,*,*,*,#{context},$,.MODEL_VIEW.,$)")
    unit = add("IFCSIUNIT(*,.LENGTHUNIT.,$,.METRE.)")
    units = add(f"IFCUNITASSIGNMENT((#{unit}))")
    person = add("IFCPERSON($,'Bench',$,$,$,$,$,$)")
    org = add("IFCORGANIZATION($,'bimflow',$,$,$)")
    po = add(f"IFCPERSONANDORGANIZATION(#{person},#{org},$)")
    app = add(f"IFCAPPLICATION(#{org},'0.1','bimflow bench generator','bench')")
    owner = add(f"IFCOWNERHISTORY(#{po},#{app},$,.ADDED.,$,$,$,0)")
    project = add(f"IFCPROJECT('{guid(rng)}',#{owner},'Synthetic',$,$,$,$,(#{context}),#{units})")
    site_pl = add(f"IFCLOCALPLACEMENT($,#{world})")
    site = add(f"IFCSITE('{guid(rng)}',#{owner},'Site',$,$,#{site_pl},$,$,.ELEMENT.,$,$,$,$,$)")
    bld_pl = add(f"IFCLOCALPLACEMENT(#{site_pl},#{world})")
    building = add(f"IFCBUILDING('{guid(rng)}',#{owner},'Building',$,$,#{bld_pl},$,$,.ELEMENT.,$,$,$)")
    add(f"IFCRELAGGREGATES('{guid(rng)}',#{owner},$,$,#{project},(#{site}))")
    add(f"IFCRELAGGREGATES('{guid(rng)}',#{owner},$,$,#{site},(#{building}))")

    per_storey = 2500
    storeys = max(1, (count + per_storey - 1) // per_storey)
    kinds = [
        ("IFCWALL", (4.0, 0.2, 3.0), "Pset_WallCommon"),
        ("IFCSLAB", (4.0, 4.0, 0.25), "Pset_SlabCommon"),
        ("IFCCOLUMN", (0.3, 0.3, 3.0), "Pset_ColumnCommon"),
        ("IFCBEAM", (4.0, 0.3, 0.4), "Pset_BeamCommon"),
        ("IFCDOOR", (0.9, 0.1, 2.1), "Pset_DoorCommon"),
        ("IFCWINDOW", (1.2, 0.1, 1.4), "Pset_WindowCommon"),
    ]
    profiles = {}
    for _, (x, y, _z), _p in kinds:
        if (x, y) not in profiles:
            pos2d = add("IFCAXIS2PLACEMENT2D(#%d,$)" % add("IFCCARTESIANPOINT((0.,0.))"))
            profiles[(x, y)] = add(f"IFCRECTANGLEPROFILEDEF(.AREA.,$,#{pos2d},{x},{y})")
    made = 0
    storey_ids = []
    for s in range(storeys):
        elev = s * 3.2
        sp = add(f"IFCCARTESIANPOINT((0.,0.,{elev}))")
        spl = add(f"IFCLOCALPLACEMENT(#{bld_pl},#{add(f'IFCAXIS2PLACEMENT3D(#{sp},$,$)')})")
        storey = add(f"IFCBUILDINGSTOREY('{guid(rng)}',#{owner},'Level {s:02d}',$,$,#{spl},$,$,.ELEMENT.,{elev})")
        storey_ids.append(storey)
        members = []
        for i in range(min(per_storey, count - made)):
            entity, (x, y, z), pset = kinds[i % len(kinds)]
            gx, gy = (i // len(kinds)) % 20, (i // len(kinds)) // 20
            pt = add(f"IFCCARTESIANPOINT(({gx * 5.0 + rng.random()},{gy * 5.0 + rng.random()},0.))")
            pl = add(f"IFCLOCALPLACEMENT(#{spl},#{add(f'IFCAXIS2PLACEMENT3D(#{pt},$,$)')})")
            solid = add(f"IFCEXTRUDEDAREASOLID(#{profiles[(x, y)]},$,#{zdir},{z})")
            rep = add(f"IFCSHAPEREPRESENTATION(#{body_ctx},'Body','SweptSolid',(#{solid}))")
            shape = add(f"IFCPRODUCTDEFINITIONSHAPE($,$,(#{rep}))")
            name = f"{entity.title()[3:]} {s:02d}-{i:05d}"
            if entity in ("IFCDOOR", "IFCWINDOW"):
                el = add(f"{entity}('{guid(rng)}',#{owner},'{name}',$,$,#{pl},#{shape},$,{z},{x},$,$,$)")
            else:
                el = add(f"{entity}('{guid(rng)}',#{owner},'{name}',$,$,#{pl},#{shape},$,$)")
            p1 = add(f"IFCPROPERTYSINGLEVALUE('IsExternal',$,IFCBOOLEAN(.{'T' if i % 3 == 0 else 'F'}.),$)")
            p2 = add(f"IFCPROPERTYSINGLEVALUE('LoadBearing',$,IFCBOOLEAN(.{'T' if i % 2 == 0 else 'F'}.),$)")
            p3 = add(f"IFCPROPERTYSINGLEVALUE('Reference',$,IFCIDENTIFIER('R{i % 97}'),$)")
            extra = [
                add(f"IFCPROPERTYSINGLEVALUE('Text{k:02d}',$,IFCLABEL('Value {k} of element {i}'),$)")
                for k in range(EXTRA_PROPS)
            ]
            props = ",".join(f"#{p}" for p in [p1, p2, p3, *extra])
            ps = add(f"IFCPROPERTYSET('{guid(rng)}',#{owner},'{pset}',$,({props}))")
            q1 = add(f"IFCQUANTITYLENGTH('Length',$,$,{x},$)")
            q2 = add(f"IFCQUANTITYAREA('Area',$,$,{x * y:.3f},$)")
            q3 = add(f"IFCQUANTITYVOLUME('Volume',$,$,{x * y * z:.3f},$)")
            qs = add(f"IFCELEMENTQUANTITY('{guid(rng)}',#{owner},'Qto_BaseQuantities',$,$,(#{q1},#{q2},#{q3}))")
            add(f"IFCRELDEFINESBYPROPERTIES('{guid(rng)}',#{owner},$,$,(#{el}),#{qs})")
            add(f"IFCRELDEFINESBYPROPERTIES('{guid(rng)}',#{owner},$,$,(#{el}),#{ps})")
            members.append(el)
            made += 1
        add(f"IFCRELCONTAINEDINSPATIALSTRUCTURE('{guid(rng)}',#{owner},$,$,({','.join(f'#{m}' for m in members)}),#{storey})")
    add(f"IFCRELAGGREGATES('{guid(rng)}',#{owner},$,$,#{building},({','.join(f'#{s}' for s in storey_ids)}))")

    header = (
        "ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('ViewDefinition [ReferenceView]'),'2;1');\n"
        "FILE_NAME('synthetic.ifc','2025-01-01T00:00:00',('bench'),('bimflow'),'bench','bench','');\n"
        "FILE_SCHEMA(('IFC4'));\nENDSEC;\nDATA;\n"
    )
    with open(path, "w", encoding="ascii") as out:
        out.write(header)
        out.write("\n".join(lines))
        out.write("\nENDSEC;\nEND-ISO-10303-21;\n")
    print(f"{made} products, {n} entities -> {path}")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
