using System.Globalization;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace M365SmtpTools.HelpGen;

/// <summary>
/// Reads the constants that properties are initialised to (<c>public int Port { get; set; } = 587;</c>) from the IL
/// of each declaring type's parameterless constructor, the one PowerShell calls, without running it. An auto-property
/// initialiser compiles to <c>ldarg.0; ldc.i4 587; stfld &lt;Port&gt;k__BackingField</c> before the base constructor
/// call; an assignment in the constructor body to <c>ldarg.0; ldc.i4 587; call set_Port</c>. Only those two shapes with
/// a constant (integer, floating point, string; for a nullable property also <c>new T?(constant)</c>) are read:
/// anything computed (<c>new string[0]</c>, a method call) is not a default a help page can state, and is left out.
/// </summary>
public static class PropertyInitializers
{
    private static readonly Dictionary<short, OpCode> OpCodeTable = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private readonly record struct Instruction(OpCode OpCode, long Operand);

    /// <summary>A constant stored by the constructor; Wrapped when it went through a constructor (new Nullable&lt;T&gt;(value))
    /// first.</summary>
    private sealed record Stored(object? Value, bool Wrapped);

    /// <summary>The initial value of each public instance property of <paramref name="type"/> (and its bases) that has a constant
    /// one, as help shows it.</summary>
    public static IReadOnlyDictionary<PropertyInfo, string> Read(Type type)
    {
        var result = new Dictionary<PropertyInfo, string>();
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        for (Type? t = type; t != null && t.Assembly.Location.Length > 0 && !t.FullName!.StartsWith("System.", StringComparison.Ordinal);
            t = t.BaseType)
        {
            Dictionary<string, Stored> stored = ConstantsStoredByConstructor(t);
            foreach (PropertyInfo p in properties.Where(p => p.DeclaringType == t))
            {
                if (!stored.TryGetValue($"<{p.Name}>k__BackingField", out Stored? value) && !stored.TryGetValue("set_" + p.Name, out value))
                    continue;
                if (value.Wrapped && CmdletMetadataReader.UnderlyingNullable(p.PropertyType) == null)
                    continue; // some other object made from a constant
                if (Format(p.PropertyType, value.Value) is string text) result[p] = text;
            }
        }
        return result;
    }

    private static string? Format(Type propertyType, object? value)
    {
        Type type = CmdletMetadataReader.UnderlyingNullable(propertyType) ?? propertyType;
        if (value == null) return null;
        if (type.IsEnum) return CmdletMetadataReader.EnumName(type, value) ?? Convert.ToString(value, CultureInfo.InvariantCulture);
        if (type.FullName == "System.Boolean") return Convert.ToInt64(value, CultureInfo.InvariantCulture) != 0 ? "True" : "False";
        if (value is string s) return s.Length == 0 ? null : s;
        return Convert.ToString(value, CultureInfo.InvariantCulture);
    }

    /// <summary>Field (backing field name) or setter (set_Name) → the constant the parameterless constructor stores into it on
    /// this.</summary>
    private static Dictionary<string, Stored> ConstantsStoredByConstructor(Type type)
    {
        var stored = new Dictionary<string, Stored>(StringComparer.Ordinal);
        using var stream = File.OpenRead(type.Assembly.Location);
        using var pe = new PEReader(stream);
        MetadataReader md = pe.GetMetadataReader();
        var typeHandle = (TypeDefinitionHandle)MetadataTokens.EntityHandle(type.MetadataToken);
        foreach (MethodDefinitionHandle mh in md.GetTypeDefinition(typeHandle).GetMethods())
        {
            MethodDefinition method = md.GetMethodDefinition(mh);
            if (md.GetString(method.Name) != ".ctor" || method.GetParameters().Count != 0 || method.RelativeVirtualAddress == 0) continue;
            List<Instruction> il = Decode(pe.GetMethodBody(method.RelativeVirtualAddress).GetILBytes()!);
            for (int i = 2; i < il.Count; i++)
            {
                string? target = il[i].OpCode == OpCodes.Stfld ? MemberName(md, (int)il[i].Operand)
                    : il[i].OpCode == OpCodes.Call || il[i].OpCode == OpCodes.Callvirt ? MemberName(md, (int)il[i].Operand)
                    : null;
                if (target == null) continue;
                if (il[i].OpCode != OpCodes.Stfld && !target.StartsWith("set_", StringComparison.Ordinal)) continue;
                // int? X = 5 compiles to ldarg.0; ldc.i4.5; newobj Nullable<int>(int); stfld.
                int constant = il[i - 1].OpCode == OpCodes.Newobj && MemberName(md, (int)il[i - 1].Operand) == ".ctor" ? i - 2 : i - 1;
                if (constant < 1 || il[constant - 1].OpCode != OpCodes.Ldarg_0) continue;
                if (TryConstant(md, il[constant], out object? value)) stored[target] = new Stored(value, constant != i - 1);
            }
        }
        return stored;
    }

    private static string? MemberName(MetadataReader md, int token)
    {
        EntityHandle handle = MetadataTokens.EntityHandle(token);
        return handle.Kind switch
        {
            HandleKind.FieldDefinition => md.GetString(md.GetFieldDefinition((FieldDefinitionHandle)handle).Name),
            HandleKind.MethodDefinition => md.GetString(md.GetMethodDefinition((MethodDefinitionHandle)handle).Name),
            HandleKind.MemberReference => md.GetString(md.GetMemberReference((MemberReferenceHandle)handle).Name),
            _ => null,
        };
    }

    private static bool TryConstant(MetadataReader md, Instruction ins, out object? value)
    {
        OpCode op = ins.OpCode;
        value = null;
        if (op == OpCodes.Ldnull) return true;
        if (op == OpCodes.Ldstr) { value = md.GetUserString(MetadataTokens.UserStringHandle((int)ins.Operand & 0xFFFFFF)); return true; }
        if (op == OpCodes.Ldc_I4_M1) { value = -1; return true; }
        if (op.Value >= OpCodes.Ldc_I4_0.Value && op.Value <= OpCodes.Ldc_I4_8.Value)
        {
            value = op.Value - OpCodes.Ldc_I4_0.Value;
            return true;
        }
        if (op == OpCodes.Ldc_I4_S) { value = (int)(sbyte)ins.Operand; return true; }
        if (op == OpCodes.Ldc_I4) { value = (int)ins.Operand; return true; }
        if (op == OpCodes.Ldc_I8) { value = ins.Operand; return true; }
        if (op == OpCodes.Ldc_R4) { value = BitConverter.Int32BitsToSingle((int)ins.Operand); return true; }
        if (op == OpCodes.Ldc_R8) { value = BitConverter.Int64BitsToDouble(ins.Operand); return true; }
        return false;
    }

    private static List<Instruction> Decode(byte[] il)
    {
        var result = new List<Instruction>();
        int pos = 0;
        while (pos < il.Length)
        {
            short code = il[pos++];
            if (code == 0xFE) code = unchecked((short)(0xFE00 | il[pos++]));
            if (!OpCodeTable.TryGetValue(code, out OpCode op)) throw new InvalidDataException($"Unknown IL opcode 0x{code:X} at {pos}.");
            long operand = 0;
            switch (op.OperandType)
            {
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar: operand = il[pos]; pos += 1; break;
                case OperandType.InlineVar: operand = BitConverter.ToUInt16(il, pos); pos += 2; break;
                case OperandType.InlineI8:
                case OperandType.InlineR: operand = BitConverter.ToInt64(il, pos); pos += 8; break;
                case OperandType.InlineSwitch: pos += 4 + 4 * BitConverter.ToInt32(il, pos); break;
                default: operand = BitConverter.ToInt32(il, pos); pos += 4; break;
            }
            result.Add(new Instruction(op, operand));
        }
        return result;
    }
}
